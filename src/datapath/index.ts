// The public face of src/datapath: the only code that touches the kernel.
export { NodeDatapath, type Drivers, type NodeOptions } from './node-drivers.js';
export { DRIVEN_KINDS, type DrivenKind } from '../desired/kinds/index.js';
export { DEFAULT_BPFFS_ROOT } from './programs/index.js';
export { NotSupportedError, TransientError, StalledError } from './net/index.js';
