// One line per feature of the VS Code layer (see ./feature.ts).
import type { Feature } from './feature';

export const features: Feature[] = [];
