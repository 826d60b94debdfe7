/**
 * Decodes the VPC flow-log `tcp-flags` bitmask. The bits are the TCP header's flag bits
 * (RFC 9293 §3.1); AWS documents FIN 1, SYN 2, RST 4, ACK 16 and sums such as SYN-ACK 18.
 * Names and order follow Elastic's AWS integration (`aws.vpcflow.tcp_flags_array`), which decodes
 * the low six bits only, so ECE (64) and CWR (128) are ignored as there.
 */

const FLAG_NAMES = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg'] as const;

/** Every combination of the six bits, decoded once at module load. */
const DECODED: readonly (readonly string[])[] = Array.from({ length: 1 << FLAG_NAMES.length }, (_, mask) =>
  FLAG_NAMES.filter((_name, bit) => (mask & (1 << bit)) !== 0),
);

/** Flag names set in `mask`, in bit order (19 → ["fin", "syn", "ack"]); a fresh array each call. */
export function decodeTcpFlags(mask: number): string[] {
  return (DECODED[mask & 0x3f] ?? []).slice();
}
