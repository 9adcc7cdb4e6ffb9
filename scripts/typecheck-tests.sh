#!/usr/bin/env bash
# Type-checks every test folder in one program (tests import workspace packages from their
# sources through the `source` export condition).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.tests.json --noEmit
