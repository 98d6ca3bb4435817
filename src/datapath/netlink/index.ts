// A netlink socket in any named network namespace, read from this process, and
// the one way a thread enters a namespace. Imports koffi (libc only).
export { NetlinkSocket } from './netlink-socket.js';
export { NetlinkCallError, errnoName } from './netlink-call-error.js';
export { withThreadIn } from './thread-netns.js';
