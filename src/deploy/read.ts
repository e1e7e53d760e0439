// Reading a deploy file safely, as programs are read (src/input/read.ts): the
// same codes (MOM001-MOM005) and limits, with messages that speak of deploy files.

import { decodeText, readTextFile, type ReadResult, type TextFileKind } from '../input/read.js';

const EMPTY = 'is empty; a deploy file has at least a [Nodes] and an [Authentication] section';

const DEPLOY_FILE: TextFileKind = { ext: '.deploy', plural: 'deploy files', one: 'a deploy file', empty: EMPTY, blank: EMPTY };

export function readDeployFile(path: string): ReadResult {
  return readTextFile(path, DEPLOY_FILE);
}

export function decodeDeploy(path: string, bytes: Uint8Array): ReadResult {
  return decodeText(path, bytes, DEPLOY_FILE);
}
