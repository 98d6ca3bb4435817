export {
  endpointAlias,
  endpointAliasFits,
  endpointAliasLength,
  endpointNetns,
  endpointNetnsPrefix,
  endpointVeth,
  ENDPOINT_ALIAS_TAG,
  MAX_ALIAS,
  ownerMark,
} from './endpoint-names.js';
