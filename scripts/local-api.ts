import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * LOCAL ONLY: where a running `npm start` says its DynamoDB Local listens, so that
 * `npm run job` and the device simulator reach the same data.
 */
export interface LocalApiInfo {
  apiUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  pid: number;
}

const infoFile = () => join(process.cwd(), '.data', 'local-api.json');

export function writeLocalApiInfo(info: LocalApiInfo): void {
  mkdirSync(join(process.cwd(), '.data'), { recursive: true });
  writeFileSync(infoFile(), JSON.stringify(info, null, 2));
}

export function clearLocalApiInfo(): void {
  rmSync(infoFile(), { force: true });
}

export function readLocalApiInfo(): LocalApiInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(infoFile(), 'utf8')) as LocalApiInfo;
    process.kill(info.pid, 0); // throws when that process is gone
    return info;
  } catch {
    return undefined;
  }
}
