/**
 * Per client address: connection counts, the invalid-share ratio and temporary bans. Time is passed in.
 */
export interface BanPolicy {
  enabled: boolean;
  checkThreshold: number;
  invalidPercent: number;
  banSeconds: number;
}

interface AddressRecord {
  connections: number;
  valid: number;
  invalid: number;
}

export class ClientAddressBook {
  private readonly records = new Map<string, AddressRecord>();
  private readonly bannedUntil = new Map<string, number>();

  constructor(private readonly policy: BanPolicy) {}

  isBanned(address: string, now: number): boolean {
    const until = this.bannedUntil.get(address);
    if (until === undefined) return false;
    if (until > now) return true;
    this.bannedUntil.delete(address);
    return false;
  }

  connectionCount(address: string): number {
    return this.records.get(address)?.connections ?? 0;
  }

  connected(address: string): void {
    this.record(address).connections += 1;
  }

  disconnected(address: string): void {
    const r = this.records.get(address);
    if (!r) return;
    r.connections -= 1;
    if (r.connections <= 0 && r.valid + r.invalid === 0) this.records.delete(address);
  }

  /** Counts a share; returns true when the address has just crossed the invalid ratio and is now banned. */
  share(address: string, valid: boolean, now: number): boolean {
    const r = this.record(address);
    if (valid) r.valid += 1;
    else r.invalid += 1;
    const total = r.valid + r.invalid;
    if (total < this.policy.checkThreshold) return false;
    const ban = this.policy.enabled && (r.invalid * 100) / total > this.policy.invalidPercent;
    r.valid = 0;
    r.invalid = 0;
    if (ban) this.bannedUntil.set(address, now + this.policy.banSeconds * 1000);
    return ban;
  }

  private record(address: string): AddressRecord {
    let r = this.records.get(address);
    if (!r) {
      r = { connections: 0, valid: 0, invalid: 0 };
      this.records.set(address, r);
    }
    return r;
  }
}
