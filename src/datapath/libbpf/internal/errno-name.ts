import { constants } from 'node:os';

export { errnoName } from '../../errno-name.js';

export const EAGAIN = constants.errno.EAGAIN;
export const ENOENT = constants.errno.ENOENT;
export const EEXIST = constants.errno.EEXIST;
export const EINVAL = constants.errno.EINVAL;
export const ENOSPC = constants.errno.ENOSPC;
export const EOPNOTSUPP = constants.errno.EOPNOTSUPP;
export const ENOTSUPP = 524;
