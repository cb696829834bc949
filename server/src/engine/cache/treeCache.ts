// Syntax trees of a project's migrations, kept between runs so that a check after a change parses only the files
// that changed. Parsing is about a third of a cold check; a commit that adds one migration to a long history would
// otherwise parse all of it again. A tree is stored under its file's content digest (fileDigests.ts), so it is only
// ever given to the exact text it was parsed from, and it is rebuilt the way trees parsed on a worker thread are
// (treeTransfer.ts): for reading, not for incremental re-parsing, which the CLI never does.
//
// One file per project in the cache folder: a SHA-1 of the rest, a small JSON header (the trees' shapes), then the
// raw Uint16 node buffers in this machine's byte order. It is bound, like the other entries, to the tool's identity
// and to the cache folder's stamp (cacheFolder.ts), so trees from another machine or a committed folder are never
// used; only this tool writes it, and a file whose checksum does not match (damaged, cut short) is not used at all:
// a damaged file means a parse, never a wrong tree.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { NodeSet, Tree } from '@lezer/common';
import { fromPortable, toPortable, type PortableTree } from '../treeTransfer';

const MAGIC = 'MGTREES1';
const FORMAT = 1;
const CHECKSUM_BYTES = 20;
/** Where the header's length is, after the magic and the checksum; the header follows it. */
const LENGTH_AT = MAGIC.length + CHECKSUM_BYTES;
const HEADER_AT = LENGTH_AT + 4;
/** Above this many bytes of node buffers (about 40,000 migrations) the trees are not kept: the file would cost more to read than it saves. */
const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/**
 * A stored tree, as arrays (quicker to parse than objects): an inner node `[1, type id, length, positions,
 * children]`, or `[0, offset, count, length]`, a slice of the blob (in 16-bit units) holding a TreeBuffer.
 */
type StoredShape = [1, number, number, number[], StoredShape[]] | [0, number, number, number];

interface Header {
  format: number;
  identity: string;
  folder: string;
  /** Content digest -> [text length, shape]. */
  trees: Record<string, [number, StoredShape]>;
}

export class TreeCache {
  private reusedFiles = 0;
  private readonly usedDigests = new Set<string>();
  private constructor(
    private readonly file: string,
    private readonly identity: string,
    private readonly folderStamp: string,
    private readonly nodeSet: NodeSet,
    private readonly stored: ReadonlyMap<string, [number, StoredShape]>,
    private readonly blob: Uint16Array,
    private readonly maxBlobBytes: number,
  ) {}

  /**
   * Any failure to read the file (none yet, damaged, another tool version or folder) only means every file is parsed.
   * `maxBlobBytes` is the cap on node buffers that `save` keeps (tests lower it).
   */
  static load(file: string, identity: string, folderStamp: string, nodeSet: NodeSet, maxBlobBytes = MAX_BLOB_BYTES): TreeCache {
    const empty = new TreeCache(file, identity, folderStamp, nodeSet, new Map(), new Uint16Array(0), maxBlobBytes);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return empty;
    }
    try {
      if (bytes.length < HEADER_AT || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return empty;
      const checksum = createHash('sha1').update(bytes.subarray(LENGTH_AT)).digest();
      if (!checksum.equals(bytes.subarray(MAGIC.length, LENGTH_AT))) return empty;
      const headerEnd = HEADER_AT + bytes.readUInt32LE(LENGTH_AT);
      if (headerEnd > bytes.length) return empty;
      const header = JSON.parse(bytes.toString('utf8', HEADER_AT, headerEnd)) as Partial<Header>;
      if (header.format !== FORMAT || header.identity !== identity || header.folder !== folderStamp || !header.trees || typeof header.trees !== 'object') return empty;
      const blobStart = headerEnd + (headerEnd % 2);
      const blobBytes = bytes.subarray(blobStart);
      // A Uint16Array needs an even byte offset: copy the rare buffer that is not aligned.
      const aligned = blobBytes.byteOffset % 2 === 0 ? blobBytes : Buffer.from(blobBytes);
      const blob = new Uint16Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 2));
      return new TreeCache(file, identity, folderStamp, nodeSet, new Map(Object.entries(header.trees)), blob, maxBlobBytes);
    } catch {
      return empty;
    }
  }

  /** How many trees this run took from the file (`--stats`). */
  get reused(): number {
    return this.reusedFiles;
  }

  /** The tree parsed earlier from the text with this digest and length, if it is stored and intact. */
  treeFor(digest: string, textLength: number): Tree | undefined {
    const entry = this.stored.get(digest);
    if (!entry || entry[0] !== textLength) return undefined;
    try {
      const portable = this.portable(entry[1], 0);
      const tree = portable && fromPortable(portable, this.nodeSet);
      if (!tree || tree.length !== textLength) return undefined;
      this.reusedFiles++;
      this.usedDigests.add(digest);
      return tree;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps the trees of this run's files (digest, text length, tree), replacing the file: trees of files no longer
   * in the project go. Rewriting the whole file costs about as much as parsing a hundredth of the files, so while
   * at most that many trees are new (a commit that adds a migration or two) and few stored ones went, the file is
   * left as it is and those few files are parsed again next time.
   */
  save(files: readonly { digest: string; length: number; tree: Tree }[]): void {
    const unique = new Map(files.map((file) => [file.digest, file]));
    let fresh = 0;
    for (const digest of unique.keys()) if (!this.usedDigests.has(digest)) fresh++;
    let gone = 0;
    for (const digest of this.stored.keys()) if (!unique.has(digest)) gone++;
    if (fresh * 100 <= unique.size && gone * 4 <= this.stored.size && this.stored.size > 0) return;
    const buffers: Uint16Array[] = [];
    let units = 0;
    const shapeOf = (portable: PortableTree): StoredShape => {
      if (portable.kind === 'buffer') {
        buffers.push(portable.buffer);
        units += portable.buffer.length;
        return [0, units - portable.buffer.length, portable.buffer.length, portable.length];
      }
      return [1, portable.type, portable.length, [...portable.positions], portable.children.map(shapeOf)];
    };
    const trees: Header['trees'] = {};
    for (const [digest, file] of unique) {
      trees[digest] = [file.length, shapeOf(toPortable(file.tree))];
      // Past the cap nothing is kept: stop at the first file that crosses it rather than shaping the rest.
      if (units * 2 > this.maxBlobBytes) return;
    }
    const header = Buffer.from(JSON.stringify({ format: FORMAT, identity: this.identity, folder: this.folderStamp, trees } satisfies Header), 'utf8');
    const headerEnd = HEADER_AT + header.length;
    const blobStart = headerEnd + (headerEnd % 2);
    const out = Buffer.alloc(blobStart + units * 2);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(header.length, LENGTH_AT);
    header.copy(out, HEADER_AT);
    let at = blobStart;
    for (const buffer of buffers) {
      out.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), at);
      at += buffer.byteLength;
    }
    createHash('sha1').update(out.subarray(LENGTH_AT)).digest().copy(out, MAGIC.length);
    try {
      // Write then rename: a concurrent run never reads half a file.
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, out);
      renameSync(temporary, this.file);
    } catch {
      // A read-only cache folder only means parsing every time.
    }
  }

  /**
   * The shape as a portable tree over the blob, or undefined when any part of it is out of range or malformed. The
   * node buffers themselves are covered by the file's checksum: they are what the parser produced.
   */
  private portable(shape: StoredShape, depth: number): PortableTree | undefined {
    if (depth > 256 || !Array.isArray(shape)) return undefined;
    if (shape[0] === 0) {
      const [, offset, count, length] = shape;
      if (!isCount(offset) || !isCount(count) || !isCount(length) || offset + count > this.blob.length || count % 4 !== 0) return undefined;
      return { kind: 'buffer', buffer: this.blob.subarray(offset, offset + count), length };
    }
    const [, type, length, positions, children] = shape;
    if (!isCount(type) || type >= this.nodeSet.types.length || !isCount(length)) return undefined;
    if (!Array.isArray(positions) || !Array.isArray(children) || positions.length !== children.length) return undefined;
    const rebuilt: PortableTree[] = [];
    for (let index = 0; index < children.length; index++) {
      const position = positions[index];
      const child = this.portable(children[index]!, depth + 1);
      if (!child || !isCount(position) || position + child.length > length) return undefined;
      rebuilt.push(child);
    }
    return { kind: 'tree', type, children: rebuilt, positions, length };
  }
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
