import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temp folder for one test; removed by the caller via t.teardown. */
export function tmpDir(prefix = 'brainalign-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
