// Default node image and OS SKU per OS (the node image catalog of the snapshots feature refines this).
export function defaultOsSku(osType: 'Linux' | 'Windows', osSku?: string): string {
  return osSku ?? (osType === 'Windows' ? 'Windows2022' : 'Ubuntu');
}

const DEFAULT_IMAGES: Record<string, string> = {
  Ubuntu: 'AKSUbuntu-2204gen2containerd-202410.27.0',
  AzureLinux: 'AKSAzureLinux-V2gen2-202410.27.0',
  Windows2022: 'AKSWindows-2022-containerd-20348.2762.241009',
  Windows2019: 'AKSWindows-2019-containerd-17763.6414.241010',
};

export function defaultNodeImage(osSku: string): string {
  return DEFAULT_IMAGES[osSku] ?? DEFAULT_IMAGES.Ubuntu!;
}
