// Loaded by mocha before every spec (see .mocharc.json).
process.env.LVS_TEST = '1';
