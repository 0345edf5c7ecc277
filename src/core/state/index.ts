// Parsers of host command output (pure functions, one file per command). Each
// throws StateParseError naming the command and line on input it does not know.
export { StateParseError, outputLines } from './parseError';
export * from './endpoint';
export * from './ipvsadmList';
export * from './ipvsadmConnections';
export * from './ipvsadmSave';
export * from './ipvsadmTimeout';
export * from './ipvsUnavailable';
export * from './sysctl';
export * from './kernelConfig';
export * from './ipAddr';
export * from './ipRoute';
export * from './ssListen';
export * from './procIpVs';
export * from './ipvsModel';
export * from './keepalivedLog';
