import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';
import { usePreferencesStore } from './stores/preferences';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
// Applies the remembered language and theme before the first paint of a view.
usePreferencesStore();
app.use(router);
app.mount('#app');
