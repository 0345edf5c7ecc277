// Public API of the capture engine (VS Code layer, CLI, cluster check).
export { planCapture, parseServiceSpec, type CapturePlan, type PlannedPoint, type PlanHost, type PlanInput, type PlanOptions, type InterfaceHint } from './plan';
export { runCapture, remoteCleanupSummary, type CaptureOptions, type HostProgress, type HostState, type HostSource } from './run';
export { readManifest, validateManifest, hostMessage, ManifestError, type CaptureManifest, type CapturePoint, type HostRole } from './manifest';
export { PcapRecordCounter, parseTcpdumpStats } from './pcapCount';
