// A classic pcap file (libpcap format, Ethernet link type) of TCP conversations built from bytes
// the test holds: the three-way handshake, then each side's data in the segments given (so a
// frame can be split over several segments or several frames share one), with consistent
// sequence and acknowledgement numbers, then FIN from both sides. For dissector tests that need a
// capture without capturing (test/spec/dissector.test.ts).
import { writeFileSync } from 'node:fs';

export interface Segment {
  /** 'c' client to server, 's' server to client. */
  from: 'c' | 's';
  data: Buffer;
}

export interface Conversation {
  clientPort: number;
  serverPort: number;
  segments: Segment[];
}

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function packet(src: number, dst: number, seq: number, ack: number, flags: number, data: Buffer, id: number): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + data.length, 2);
  ip.writeUInt16BE(id & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = 64;
  ip[9] = 6;
  ip.writeUInt32BE(0x7f000001, 12);
  ip.writeUInt32BE(0x7f000001, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(src, 0);
  tcp.writeUInt16BE(dst, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(65535, 14);
  const pseudo = Buffer.alloc(12);
  pseudo.writeUInt32BE(0x7f000001, 0);
  pseudo.writeUInt32BE(0x7f000001, 4);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(20 + data.length, 10);
  tcp.writeUInt16BE(checksum(Buffer.concat([pseudo, tcp, data])), 16);
  return Buffer.concat([eth, ip, tcp, data]);
}

/** Write `conversations` (one after the other, a millisecond between packets) to `file`. */
export function writePcap(file: string, conversations: Conversation[], startMs = Date.UTC(2024, 5, 1, 1, 30)): void {
  const out: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(262144, 16);
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  out.push(global);
  let ms = startMs;
  let id = 1;
  const add = (p: Buffer) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Math.floor(ms / 1000), 0);
    h.writeUInt32LE((ms % 1000) * 1000, 4);
    h.writeUInt32LE(p.length, 8);
    h.writeUInt32LE(p.length, 12);
    out.push(h, p);
    ms += 1;
  };
  for (const c of conversations) {
    let cseq = 1000;
    let sseq = 5000;
    add(packet(c.clientPort, c.serverPort, cseq, 0, SYN, Buffer.alloc(0), id++));
    add(packet(c.serverPort, c.clientPort, sseq, cseq + 1, SYN | ACK, Buffer.alloc(0), id++));
    cseq++;
    sseq++;
    add(packet(c.clientPort, c.serverPort, cseq, sseq, ACK, Buffer.alloc(0), id++));
    for (const s of c.segments) {
      if (s.from === 'c') {
        add(packet(c.clientPort, c.serverPort, cseq, sseq, PSH | ACK, s.data, id++));
        cseq += s.data.length;
      } else {
        add(packet(c.serverPort, c.clientPort, sseq, cseq, PSH | ACK, s.data, id++));
        sseq += s.data.length;
      }
    }
    add(packet(c.clientPort, c.serverPort, cseq, sseq, FIN | ACK, Buffer.alloc(0), id++));
    add(packet(c.serverPort, c.clientPort, sseq, cseq + 1, FIN | ACK, Buffer.alloc(0), id++));
    add(packet(c.clientPort, c.serverPort, cseq + 1, sseq + 1, ACK, Buffer.alloc(0), id++));
  }
  writeFileSync(file, Buffer.concat(out));
}
