// The validated configuration. src/config/load.ts turns one or more legacy INI files into this;
// every other module takes these objects, never raw INI. The sections' fields, their types and
// which of them are always set all derive from the key table (src/config/keys.ts: each row's
// `field`, its parser's type and its default); what is written here is only what no row says.
import type { DatabaseType, SecretField, SectionValues } from './keys.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';

export type { DatabaseType } from './keys.js';

/** One [interface.<name>] section (OP-01). */
export type InterfaceConfig = SectionValues<'interface'> & {
  /** Section name, e.g. "cs" from [interface.cs]; used in log file paths and log bindings. */
  name: string;
  /** [interface] framing, loaded: a text framing profile (docs/framing.md); undefined = the v1 binary wire. */
  framing?: FramingProfile;
  /** Check-code keys by client name (src/config/check-keys.ts), on a profile with a check code. Never logged nor rendered. */
  checkKeys?: ReadonlyMap<string, Buffer>;
  /** The INI file that defined this interface (for messages naming file, section and key). */
  file?: string;
  /** The port was shifted (BSSGATE_PORT_OFFSET / --port-offset): how, for messages, e.g. "9921 + BSSGATE_PORT_OFFSET 1000". */
  portShift?: string;
};

/** [database]. `path` is set for type = sqlite only (its default applies there alone). */
export type DatabaseConfig = Omit<SectionValues<'database'>, 'path'> & {
  path?: string;
  /** sqlite: where `path` came from (messages); absent in configs built in code. */
  pathSource?: KeySource;
};

/**
 * Where a key got its value, for messages naming file, section and key about something found only
 * when the value is used (a directory that cannot be created, a port in use): the INI file that
 * set it, or, for a key at its default, the first file (relative defaults resolve against it).
 */
export interface KeySource {
  file: string;
  /** The key is not set; its default is used. */
  isDefault: boolean;
}

/** [log] (docs/logs.md). */
export type LogConfig = SectionValues<'log'> & {
  /** Where `dir` came from (messages); absent in configs built in code. */
  dirSource?: KeySource;
};

/** OP-04: the admin HTTP listener ([admin]; src/admin.ts, docs/metrics.md). */
export type AdminConfig = SectionValues<'admin'> & {
  /** The INI file that set [admin] (for messages). */
  file?: string;
  /** The port was shifted (see InterfaceConfig.portShift). */
  portShift?: string;
};

/** OC-01…OC-03: [scanner] (docs/scanner.md). All durations in ms. */
export type ScannerConfig = SectionValues<'scanner'>;

/** OC-01/OC-02: one [switch.<name>] section. */
export type SwitchConfig = SectionValues<'switch'> & {
  name: string;
  /** The INI file that defined it (messages). */
  file?: string;
  /** A simulated socket switch's port was shifted (see InterfaceConfig.portShift). */
  portShift?: string;
};

/** PC-03…PC-08: [card] (docs/payments.md, docs/reconciliation.md). Money in fen. */
export type CardConfig = SectionValues<'card'> & {
  /** Where reconcile_dir and report_dir came from (messages); absent in configs built in code. */
  reconcileDirSource?: KeySource;
  reportDirSource?: KeySource;
};

/**
 * PC-06: one [client.<id>] section. The identity in the idempotency key is `name`, configured for
 * the client's addresses; the section's <id> is only a label (renaming it changes nothing).
 */
export type ClientConfig = SectionValues<'client'> & {
  /** The <id> of [client.<id>] (messages). */
  section: string;
  /** The INI file that defined it (messages). */
  file?: string;
};

/**
 * [server] lands in Config itself. A configuration built in code may leave its keys out (their
 * defaults then apply where they are read), except shutdownGraceMs.
 */
type ServerValues = Partial<SectionValues<'server'>> & Pick<SectionValues<'server'>, 'shutdownGraceMs'>;

export type Config = ServerValues & {
  /** The files read, in order, for messages. */
  files: string[];
  interfaces: InterfaceConfig[];
  database: DatabaseConfig;
  log: LogConfig;
  /** [scanner]; absent (configs built in code) = no scanner. */
  scanner?: ScannerConfig;
  /** [switch.<name>] sections, in file order; absent = none. */
  switches?: SwitchConfig[];
  /** [admin]; absent (configs built in code) = off. */
  admin?: AdminConfig;
  /** [client.<id>] sections (PC-06 identities); absent = none: every peer is the unconfigured client `*`. */
  clients?: ClientConfig[];
  /** [card]; absent (configs built in code) = the defaults (DEFAULT_CARD). */
  card?: CardConfig;
  /** Every listening port was shifted by `value` (BSSGATE_PORT_OFFSET or --port-offset, named by `source`); absent = not shifted. */
  portOffset?: PortOffset;
};

/** A shift of every listening port: its value and where it came from (for messages and the banner). */
export interface PortOffset {
  value: number;
  /** `BSSGATE_PORT_OFFSET` or `--port-offset`. */
  source: string;
}

/**
 * What handlers see of the configuration, as ONE object (ctx.settings, src/types.ts): the
 * sections they use, every key with its value or its default, secrets left out. Built once per
 * gateway by handlerSettings (src/config/settings.ts). A new key of these sections reaches the
 * handlers with no change here: ctx.settings.card.<field>.
 */
export interface HandlerSettings {
  /** [card]: amount bounds (PC-03), the resume rule's minimum (PC-05) … */
  readonly card: Readonly<CardConfig>;
  /** [database] without its secrets: password_storage (CS-22) … */
  readonly database: Readonly<Omit<DatabaseConfig, SecretField<'database'>>>;
}

/** Thrown by the loader; the message names file, section, key and what is accepted. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly section: string,
    readonly key: string,
    readonly problem: string,
  ) {
    // A problem with a whole file (missing, empty) has no section or key: "h.ini: file not found".
    super(`${file}: ${section ? `[${section}] ` : ''}${key ? `${key}: ` : ''}${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * A ConfigError about a key whose value turned out unusable when used (a directory that cannot be
 * created, a port in use): names the file that set the key (or, at its default, the first file),
 * the section and the key, like the loader's errors; `problem` carries the OS reason.
 */
export function keyError(source: KeySource | undefined, section: string, key: string, problem: string): ConfigError {
  if (!source) return new ConfigError('(configuration built in code)', section, key, problem);
  return new ConfigError(source.file, section, key, source.isDefault ? `not set, the default: ${problem}` : problem);
}
