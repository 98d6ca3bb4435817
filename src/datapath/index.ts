// The public face of src/datapath: the only code that touches the kernel.
export { NodeDatapath, DRIVEN_KINDS, type DrivenKind, type Drivers, type NodeOptions } from './node-drivers.js';
export { DEFAULT_BPFFS_ROOT } from './programs/index.js';
export { NotSupportedError, TransientError, StalledError } from './net/index.js';
