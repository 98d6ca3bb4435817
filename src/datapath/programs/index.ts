// Loading and attaching gitwire's endpoint programs, and where they are pinned.
export { DEFAULT_BPFFS_ROOT, ensurePinDir, pinLayout, type PinLayout } from './pin-layout.js';
export {
  ENDPOINT_OBJECT,
  EndpointDatapath,
  type EndpointAttachment,
  type EndpointDatapathSpec,
  type ProgramName,
} from './endpoint-datapath.js';
