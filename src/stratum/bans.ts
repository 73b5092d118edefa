import { BlockList, isIPv6 } from 'node:net';

/**
 * Per client address: connection counts, the invalid-work ratio and temporary bans. Time is passed in.
 * Memory is bounded: an address without connections is forgotten after `forgetSeconds`, or sooner (oldest
 * first) once `maxAddresses` are tracked; bans end and are swept, and at most `maxAddresses` are kept.
 */
export interface BanPolicy {
  enabled: boolean;
  /** The ratio is judged every this many counted shares. */
  checkThreshold: number;
  invalidPercent: number;
  banSeconds: number;
  /** Addresses and CIDR ranges never banned (the operator's own miners, load tests). */
  exempt: string[];
  forgetSeconds: number;
  maxAddresses: number;
}

export const DEFAULT_BAN_POLICY: BanPolicy = {
  enabled: true,
  checkThreshold: 100,
  invalidPercent: 50,
  banSeconds: 600,
  exempt: ['127.0.0.0/8', '::1'],
  forgetSeconds: 600,
  maxAddresses: 100_000,
};

/** A set of addresses and CIDR ranges ("10.0.0.0/8", "::1"); throws a RangeError naming a bad entry. */
export function addressSet(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = entry.trim().split('/');
    const family = isIPv6(address ?? '') ? 'ipv6' : 'ipv4';
    try {
      if (extra !== undefined) throw new Error('more than one /');
      if (prefix === undefined) list.addAddress(address!, family);
      else {
        if (!/^\d+$/.test(prefix)) throw new Error('bad prefix');
        list.addSubnet(address!, Number(prefix), family);
      }
    } catch {
      throw new RangeError(`not an IP address or CIDR range: ${entry}`);
    }
  }
  return list;
}

export function inAddressSet(set: BlockList, address: string): boolean {
  try {
    return set.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
  } catch {
    return false; // not an IP address (a test's or a proxy's odd value): in no set
  }
}

interface AddressRecord {
  connections: number;
  valid: number;
  invalid: number;
  /** When the last connection closed (ms), while it has none. */
  idleSince: number;
}

export type ShareVerdict = 'valid' | 'invalid';

export class ClientAddressBook {
  private readonly records = new Map<string, AddressRecord>();
  /** The records without connections, in the order they became idle. */
  private readonly idle = new Map<string, AddressRecord>();
  /** When each ban ends (ms); insertion order is the order bans were set (the oldest goes at the cap). */
  private readonly bannedUntil = new Map<string, number>();
  private readonly exempt: BlockList;

  constructor(private readonly policy: BanPolicy) {
    this.exempt = addressSet(policy.exempt);
  }

  /** Addresses tracked (with connections or recent shares), and bans in force. */
  get size(): { addresses: number; bans: number } {
    return { addresses: this.records.size, bans: this.bannedUntil.size };
  }

  isBanned(address: string, now: number): boolean {
    const until = this.bannedUntil.get(address);
    if (until === undefined) return false;
    if (until > now) return true;
    this.bannedUntil.delete(address);
    return false;
  }

  isExempt(address: string): boolean {
    return inAddressSet(this.exempt, address);
  }

  connectionCount(address: string): number {
    return this.records.get(address)?.connections ?? 0;
  }

  connected(address: string): void {
    const r = this.record(address);
    if (r.connections === 0) this.idle.delete(address);
    r.connections += 1;
  }

  disconnected(address: string, now: number): void {
    const r = this.records.get(address);
    if (!r || r.connections === 0) return;
    r.connections -= 1;
    if (r.connections > 0) return;
    if (r.valid + r.invalid === 0) {
      this.records.delete(address);
      return;
    }
    r.idleSince = now;
    this.idle.set(address, r);
  }

  /**
   * Counts a share's verdict; returns true when the address has just crossed the invalid ratio and is now
   * banned (never an exempt address).
   */
  share(address: string, verdict: ShareVerdict, now: number): boolean {
    const r = this.record(address);
    if (verdict === 'valid') r.valid += 1;
    else r.invalid += 1;
    const total = r.valid + r.invalid;
    if (total < this.policy.checkThreshold) return false;
    const over = (r.invalid * 100) / total > this.policy.invalidPercent;
    r.valid = 0;
    r.invalid = 0;
    if (!over || !this.policy.enabled || this.isExempt(address)) return false;
    return this.ban(address, now + this.policy.banSeconds * 1000, now);
  }

  /**
   * Bans an address until `until` (ms): from this instance's own verdicts, or shared by another instance.
   * False (nothing changes) for an exempt address, a ban already lasting at least as long, or one that
   * has ended.
   */
  ban(address: string, until: number, now: number): boolean {
    if (!this.policy.enabled || this.isExempt(address) || until <= now) return false;
    const current = this.bannedUntil.get(address);
    if (current !== undefined && current >= until) return false;
    this.bannedUntil.delete(address);
    if (this.bannedUntil.size >= this.policy.maxAddresses)
      this.bannedUntil.delete(this.bannedUntil.keys().next().value!);
    this.bannedUntil.set(address, until);
    return true;
  }

  /** Forgets idle addresses past forgetSeconds and bans that ended. */
  sweep(now: number): void {
    const forgetBefore = now - this.policy.forgetSeconds * 1000;
    for (const [address, r] of this.idle) {
      if (r.idleSince > forgetBefore) break;
      this.idle.delete(address);
      this.records.delete(address);
    }
    // Every ban is looked at: bans shared by other instances end in any order (their clocks and policies
    // differ), and a sweep every few seconds over at most maxAddresses entries is cheap.
    for (const [address, until] of this.bannedUntil) if (until <= now) this.bannedUntil.delete(address);
  }

  private record(address: string): AddressRecord {
    let r = this.records.get(address);
    if (!r) {
      if (this.records.size >= this.policy.maxAddresses) {
        // The oldest idle address goes; addresses with connections are bounded by the connection cap.
        const oldest = this.idle.keys().next();
        if (!oldest.done) {
          this.idle.delete(oldest.value);
          this.records.delete(oldest.value);
        }
      }
      r = { connections: 0, valid: 0, invalid: 0, idleSince: 0 };
      this.records.set(address, r);
    }
    return r;
  }
}
