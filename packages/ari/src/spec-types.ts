/** Shapes of the generated metadata in generated/spec.ts (Swagger 1.1 terms kept). */
export interface AriAllowableValues {
  valueType: 'LIST' | 'RANGE';
  values?: string[];
  min?: number;
  max?: number;
}

export interface AriParamSpec {
  name: string;
  in: 'query' | 'path' | 'body';
  required: boolean;
  /** Swagger dataType: string, int, long, boolean, containers, object, ... */
  type: string;
  /** Query parameter that takes several values (comma separated on the wire). */
  multiple: boolean;
  allowable?: AriAllowableValues;
}

export interface AriOperationSpec {
  /** resource.nickname, e.g. channels.originate */
  id: string;
  method: string;
  /** Path template under /ari, e.g. /channels/{channelId}/play */
  path: string;
  responseClass: string;
  upgrade: string | null;
  params: AriParamSpec[];
  /** Error status codes the description documents. */
  errors: number[];
}

export interface AriPropertySpec {
  type: string;
  required: boolean;
  allowable?: AriAllowableValues;
}

export interface AriModelSpec {
  props: Record<string, AriPropertySpec>;
  /** True for the event models (subtypes of Event). */
  event: boolean;
}
