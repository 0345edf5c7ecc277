// One line per feature of the VS Code layer (see ./feature.ts).
import type { Feature } from './feature';
import { configLanguageFeature } from './language/configLanguage';

export const features: Feature[] = [];
features.push(configLanguageFeature);
import { captureFeature } from './captureFeature';
features.push(captureFeature);
import { checkClusterFeature } from './commands/checkCluster';
features.push(checkClusterFeature);
import { probeVipFeature } from './commands/probeVip';
features.push(probeVipFeature);
