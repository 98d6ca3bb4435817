/**
 * Runs a cdk8s render with its key sorting off, so a document's fields keep
 * the order the author wrote them in (`endpointSelector` before `ingress`,
 * `port` before `protocol`), as a person writes YAML. cdk8s reads the switch
 * from the environment on every render, so it is set for this call only.
 */
export function inAuthorOrder<T>(render: () => T): T {
  const saved = process.env.CDK8S_DISABLE_SORT;
  process.env.CDK8S_DISABLE_SORT = '1';
  try {
    return render();
  } finally {
    if (saved === undefined) delete process.env.CDK8S_DISABLE_SORT;
    else process.env.CDK8S_DISABLE_SORT = saved;
  }
}
