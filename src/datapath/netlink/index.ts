// A netlink socket in any named network namespace, read from this process. Imports koffi (libc only).
export { NetlinkSocket } from './netlink-socket.js';
export { NetlinkCallError, errnoName } from './netlink-call-error.js';
