// gitwire's binding of the system libbpf. The only folder that imports koffi.
export { BpfError, type BpfErrorCode } from './bpf-error.js';
export { BpfObject, type BpfObjectSpec } from './bpf-object.js';
export {
  BpfMap,
  BPF_F_NO_PREALLOC,
  MAP_TYPES,
  mapInfo,
  type Batch,
  type MapInfo,
  type MapSpec,
  type MapType,
  type UpdateFlag,
} from './bpf-map.js';
export {
  BpfProgram,
  progInfo,
  progMapIds,
  type ProgInfo,
  type TestRunInput,
  type TestRunResult,
} from './bpf-program.js';
export { BpfLink, tcxQuery, unpin, type LinkInfo, type TcxPoint } from './bpf-link.js';
export {
  tcAttach,
  tcDetach,
  tcHookCreate,
  tcHookDestroy,
  tcQuery,
  ifIndex,
  type TcFilter,
  type TcPoint,
} from './tc.js';
export { RingBufferReader, type RingBufferOptions } from './ring-buffer.js';
export { inNetns } from './netns.js';
export { batchSupport, tcxSupport, type Support } from './features.js';
export { errnoName } from './internal/errno-name.js';
export {
  markedConnect,
  transparentListener,
  SocketCallError,
  type MarkedConnectSpec,
  type TransparentListenerSpec,
} from './transparent-socket.js';
