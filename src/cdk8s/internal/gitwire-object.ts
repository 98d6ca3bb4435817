import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { inAuthorOrder } from './in-author-order.js';
import { GITWIRE_API } from '../../desired/schema/gitwire-kinds.js';
import type { ObjectMetaProps } from '../props.js';

export interface GitwireObjectProps<S> {
  readonly metadata?: ObjectMetaProps;
  readonly spec: S;
}

/** A `gitwire.io/v1alpha1` document: the spec is written as given, so defaults stay implicit in the YAML. */
export abstract class GitwireObject<S> extends ApiObject {
  protected constructor(scope: Construct, id: string, kind: string, props: GitwireObjectProps<S>) {
    super(scope, id, {
      apiVersion: GITWIRE_API,
      kind,
      ...(props.metadata ? { metadata: props.metadata } : {}),
      spec: props.spec,
    });
  }

  override toJson(): unknown {
    return inAuthorOrder(() => super.toJson());
  }
}
