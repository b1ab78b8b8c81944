// Moved to src/local/ with the rest of the local cluster; re-exported for the tests that import it here.
export * from '../../src/local/sim.ts';
