// ARM errors: an HTTP status and the {"error":{"code","message","target"?}} body Azure returns.
// One type for every provider aksim simulates (ContainerService and ContainerInstance).
export interface ArmErrorBody {
  error: { code: string; message: string; target?: string };
}

export function armError(code: string, message: string, target?: string): ArmErrorBody {
  return { error: { code, message, ...(target ? { target } : {}) } };
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ArmError';
  }
  get body(): ArmErrorBody {
    return armError(this.code, this.message, this.target);
  }
}

export const notFound = (type: string, name: string, rg: string): ArmError =>
  new ArmError(404, 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${rg}' was not found.`);

export const rgNotFound = (rg: string): ArmError =>
  new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);

export const operationInProgress = (state: string): ArmError =>
  new ArmError(
    409,
    'OperationNotAllowed',
    `Another operation (${state}) is in progress, please wait for it to finish before starting a new operation.`,
  );
