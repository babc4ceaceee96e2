#!/usr/bin/env node
// The CLI is bundled by scripts/build.mjs (run by `pnpm install` and `pnpm build`).
import '../dist/genops.js';
