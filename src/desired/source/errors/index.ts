export { SourceError, type SourceErrorCode } from './source-error.js';
export { SourceAuthError, type SourceAuthData } from './source-auth-error.js';
export { SourceFetchError, type SourceFetchData } from './source-fetch-error.js';
export { SourceFileTooLargeError, type SourceFileTooLargeData } from './source-file-too-large-error.js';
export { SourceNotARepositoryError, type SourceNotARepositoryData } from './source-not-a-repository-error.js';
export { SourceRefNotFoundError, type SourceRefNotFoundData } from './source-ref-not-found-error.js';
export { SourceSymlinkEscapeError, type SourceSymlinkEscapeData } from './source-symlink-escape-error.js';
export { SourceUnreachableError, type SourceUnreachableData } from './source-unreachable-error.js';
