// ARM errors: an HTTP status and the {"error":{"code","message"}} body Azure returns.
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ArmError';
  }
  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFound = (type: string, name: string, rg: string): ArmError =>
  new ArmError(404, 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${rg}' was not found.`);

export const rgNotFound = (rg: string): ArmError => new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);

export const operationInProgress = (state: string): ArmError =>
  new ArmError(409, 'OperationNotAllowed', `Another operation (${state}) is in progress, please wait for it to finish before starting a new operation.`);
