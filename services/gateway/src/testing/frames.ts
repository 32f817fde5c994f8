/** The text of one unmasked server frame (RFC 6455 5.2), for tests of prebuilt frames. */
export function textOfFrame(frame: Buffer): string {
  if (frame[0] !== 0x81) throw new Error(`not a final text frame: first byte ${frame[0]}`);
  const short = frame[1]! & 0x7f;
  const [length, offset] =
    short === 126
      ? [frame.readUInt16BE(2), 4]
      : short === 127
        ? [Number(frame.readBigUInt64BE(2)), 10]
        : [short, 2];
  if (frame.length !== offset + length) {
    throw new Error(`frame of ${frame.length} bytes announces ${length} after ${offset}`);
  }
  return frame.subarray(offset).toString('utf8');
}
