// The OS SKU AKS picks for an agent pool that names none.

/** Windows2022 for Windows, Ubuntu for Linux (and when the OS type is not given). */
export function defaultOsSku(osType: string | undefined, osSku?: string): string {
  return osSku ?? (osType === 'Windows' ? 'Windows2022' : 'Ubuntu');
}
