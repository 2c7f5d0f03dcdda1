import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { prepareFirstView, router } from './router';
import { usePreferencesStore } from './stores/preferences';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
// The session and the first view's code are asked for now, not after the first render (a failure is the
// guard's to handle, when it asks again).
prepareFirstView();
app.use(i18n);
// Applies the remembered language and theme before the first paint of a view.
usePreferencesStore();
app.use(router);
app.mount('#app');
