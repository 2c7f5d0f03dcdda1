import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { nasaScore, predictRul, rmse, trainRulModel } from '@servicetower/domain';
import { readCmapssFile, readTrueRul, resolveCmapssDir } from '../rul/cmapss.js';

const { values: args } = parseArgs({
  options: {
    train: { type: 'string' },
    test: { type: 'string' },
    truth: { type: 'string' },
    'max-rmse': { type: 'string', default: '25' },
  },
});
const dir = resolveCmapssDir(process.env.CMAPSS_DIR || '../shared/data/cmapss');
const file = (given: string | undefined, name: string) => (given ? resolve(given) : resolve(dir, name));
const maxRmse = Number(args['max-rmse']);
if (!Number.isFinite(maxRmse) || maxRmse <= 0) {
  console.error(`--max-rmse ${args['max-rmse']} is not a positive number of cycles, e.g. --max-rmse 25.`);
  process.exit(2);
}

const train = await readCmapssFile(file(args.train, 'train_FD001.txt'));
const test = await readCmapssFile(file(args.test, 'test_FD001.txt'));
const truth = await readTrueRul(file(args.truth, 'RUL_FD001.txt'));
if (truth.length !== test.engines.length) {
  console.error(`${test.path} has ${test.engines.length} engines but the truth file has ${truth.length} values: give the matching pair.`);
  process.exit(2);
}

const started = performance.now();
const model = trainRulModel(train.engines.map((engine) => engine.flights));
const trainSeconds = (performance.now() - started) / 1000;
const scoring = performance.now();
const predicted = test.engines.map((engine) => predictRul(model, engine.flights)!);
const scoreMs = (performance.now() - scoring) / test.engines.length;
const actual = truth.map((cycles) => Math.min(model.cap, cycles));
const error = rmse(predicted, actual);
const score = nasaScore(predicted, actual);

console.log(`train  ${train.path}: ${model.trainedOn.engines} engines, ${model.trainedOn.rows} flights`);
console.log(`model  boosted trees, ${model.members.length} seeds × ${model.boosting.trees} trees of depth ≤ ${model.boosting.maxDepth}, ` +
  `${model.features.sensors.length} sensors, window ${model.features.window} cycles; estimates clipped to [0, ${model.cap}]`);
console.log(`time   training ${trainSeconds.toFixed(1)} s; scoring ${scoreMs.toFixed(2)} ms per engine`);
console.log(`test   ${test.path}: ${test.engines.length} engines; true RUL capped at ${model.cap}`);
console.log(`RMSE   ${error.toFixed(2)} cycles (regression guard ${maxRmse})`);
console.log(`NASA   ${score.toFixed(1)}`);
if (error > maxRmse) {
  console.error(`RMSE ${error.toFixed(2)} is above --max-rmse ${maxRmse}: the RUL model got worse.`);
  process.exit(1);
}
