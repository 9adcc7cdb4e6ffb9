#!/usr/bin/env bash
# Type-checks every test folder in one program (tests import workspace packages from their
# sources through the `source` export condition), then the console's page (packages/console/web:
# browser code, built by esbuild, which checks no types).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.tests.json --noEmit
npx tsc -p packages/console/web/tsconfig.json
