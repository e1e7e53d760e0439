// The runtime's wire format: canonical statements, authenticators, frames,
// and their counters. Everything the runtime needs is exported from here.

export { MAX_CBOR_DEPTH } from './cbor.js';
export { schemaFromModel, schemaFromProgram, type SchemaResult, type WireSchema } from './schema.js';
export {
  decodeStatement,
  encodeStatement,
  type EncodedStatement,
  type StatementBody,
  type StatementError,
  type StatementErrorCode,
  type StatementResult,
} from './statement.js';
export {
  ED25519_SIG_BYTES,
  MAC_BYTES,
  RSA_MIN_BITS,
  RSA_PSS_SALT_BYTES,
  COUNTERSIGN_REQUEST_CONTEXT,
  STATEMENT_CONTEXT,
  TTP_CONTEXT,
  compareMacTags,
  macTag,
  macValid,
  signStatement,
  statementDigest,
  statementSignatureValid,
  ttpSign,
  ttpSignatureValid,
  type Authenticator,
  type MacTag,
} from './auth.js';
export {
  DATA_FRAME_OVERHEAD_BYTES,
  DIGEST_BYTES,
  MAX_FRAME_BYTES,
  MAX_NAME_LENGTH,
  WIRE_VERSION,
  ackFor,
  ackFrame,
  batchItems,
  countersignReplyFrame,
  countersignRequestFrame,
  dataFrame,
  decodeFrame,
  encodeFrame,
  helloFrame,
  itemBytes,
  type AckFrame,
  type Countersignature,
  type CountersignReplyFrame,
  type CountersignRequestFrame,
  type DataFrame,
  type DecodeFrameOptions,
  type DecodeFrameResult,
  type EncodeFrameResult,
  type Frame,
  type HelloFrame,
  type SequencedFrame,
  type VectorClock,
  type WireItem,
} from './frame.js';
export { Countersigner, Sealer, type CountersignResult, type SealError, type SealErrorCode, type SealResult } from './seal.js';
export { Opener, type OpenResult, type OpenedStatement } from './open.js';
export {
  FRAME_DROP_REASONS,
  ITEM_DROP_REASONS,
  WireStats,
  type CryptoOp,
  type FrameDropReason,
  type ItemDropReason,
  type OpStats,
  type WireStatsSnapshot,
} from './stats.js';
export { cryptoFloor, type CryptoFloor, type CryptoFloorOptions } from './floor.js';
