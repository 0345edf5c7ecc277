// One import point for the state tests.
export * from '../../../src/core/state';
export { serviceKey } from '../../../src/core/model/cluster';
