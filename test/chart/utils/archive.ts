import { gunzipSync, inflateRawSync } from 'node:zlib';

/*
 * Reads one entry out of a .tgz or a .zip held in memory. Hand-written on purpose: the chart tests need a
 * single file from each of two archives, node:zlib already does the decompression, and the two container
 * formats are a fixed-offset header walk each — smaller than any dependency, and nothing outside npm
 * (no `tar`/`unzip` on the machine) is needed.
 */

const TAR_BLOCK = 512;

/** Returns the bytes of `entryName` in a gzipped (ustar) tarball; throws when it is not there. */
export function extractFromTgz(tgz: Buffer, entryName: string): Buffer {
  const tar = gunzipSync(tgz);
  for (let offset = 0; offset + TAR_BLOCK <= tar.length;) {
    const header = tar.subarray(offset, offset + TAR_BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const name = readTarString(header, 0, 100);
    const prefix = readTarString(header, 345, 155);
    const size = Number.parseInt(readTarString(header, 124, 12).trim() || '0', 8);
    const fullName = prefix ? `${prefix}/${name}` : name;
    const dataStart = offset + TAR_BLOCK;
    if (fullName === entryName) return Buffer.from(tar.subarray(dataStart, dataStart + size));
    offset = dataStart + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  throw new Error(`${entryName} not found in the tarball`);
}

function readTarString(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

const ZIP_END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP_CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const ZIP_LOCAL_FILE_HEADER = 0x04034b50;
const ZIP_STORED = 0;
const ZIP_DEFLATED = 8;

/** Returns the bytes of `entryName` in a (non-zip64) zip archive; throws when it is not there. */
export function extractFromZip(zip: Buffer, entryName: string): Buffer {
  const end = zip.lastIndexOf(uint32(ZIP_END_OF_CENTRAL_DIRECTORY));
  if (end === -1) throw new Error('not a zip archive: no end-of-central-directory record');
  const entries = zip.readUInt16LE(end + 10);
  let cursor = zip.readUInt32LE(end + 16);
  for (let index = 0; index < entries; index++) {
    if (zip.readUInt32LE(cursor) !== ZIP_CENTRAL_DIRECTORY_ENTRY) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(cursor + 10);
    const compressedSize = zip.readUInt32LE(cursor + 20);
    const size = zip.readUInt32LE(cursor + 24);
    const nameLength = zip.readUInt16LE(cursor + 28);
    const extraLength = zip.readUInt16LE(cursor + 30);
    const commentLength = zip.readUInt16LE(cursor + 32);
    const localHeader = zip.readUInt32LE(cursor + 42);
    const name = zip.toString('utf8', cursor + 46, cursor + 46 + nameLength);
    cursor += 46 + nameLength + extraLength + commentLength;
    if (name !== entryName) continue;

    if (compressedSize === 0xffffffff || localHeader === 0xffffffff) throw new Error('zip64 archives are not supported');
    if (zip.readUInt32LE(localHeader) !== ZIP_LOCAL_FILE_HEADER) throw new Error('corrupt zip local header');
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    const content = method === ZIP_STORED ? Buffer.from(data) : method === ZIP_DEFLATED ? inflateRawSync(data) : undefined;
    if (!content) throw new Error(`unsupported zip compression method ${method} for ${entryName}`);
    if (content.length !== size) throw new Error(`${entryName}: expected ${size} bytes, got ${content.length}`);
    return content;
  }
  throw new Error(`${entryName} not found in the zip archive`);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}
