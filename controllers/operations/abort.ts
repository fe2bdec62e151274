// The abort request: an annotation naming the operation to cancel, written by `aksim aks
// operation-abort`, the REST abort endpoint, or a kubectl user; the controllers act on it.
export const ABORT_ANNOTATION = 'aksim.io/abort-operation';
/** Real ms an aborted operation stays Canceling before it is Canceled ("within seconds"). */
export const CANCEL_GRACE_MS = 1000;
