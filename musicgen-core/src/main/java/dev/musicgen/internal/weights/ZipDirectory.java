package dev.musicgen.internal.weights;

import dev.musicgen.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The central directory of a zip file (zip64 aware), so that STORED entries of a {@code torch.save} archive can be
 * memory-mapped in place: {@code java.util.zip} does not expose where an entry's bytes start.
 */
final class ZipDirectory {
    record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset) {}

    /** The most a compressed entry may inflate to (a pickle or config; tensor storages are stored, not deflated). */
    static final long MAX_INFLATED_BYTES = 256L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private ZipDirectory(Path path, FileChannel channel, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.entries = entries;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    static ZipDirectory read(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        int tail = (int) Math.min(size, 22 + 65535 + 20);
        ByteBuffer b = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
        read(ch, b, size - tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (b.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException("invalid checkpoint " + path
                    + ": no zip end-of-central-directory record (the file is truncated or not a torch.save archive)");
        }
        long count = b.getShort(eocd + 10) & 0xffff;
        long cdSize = b.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = b.getInt(eocd + 16) & 0xffffffffL;
        if (eocd >= 20 && b.getInt(eocd - 20) == 0x07064b50) {
            long z64 = b.getLong(eocd - 20 + 8);
            ByteBuffer z = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
            read(ch, z, z64);
            if (z.getInt(0) != 0x06064b50) {
                throw new CheckpointException("invalid checkpoint " + path + ": corrupt zip64 end record");
            }
            count = z.getLong(32);
            cdSize = z.getLong(40);
            cdOffset = z.getLong(48);
        }
        if (cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
            throw new CheckpointException("invalid checkpoint " + path + ": central directory at " + cdOffset + " (+"
                    + cdSize + " bytes) lies outside the " + size + "-byte file (truncated?)");
        }
        ByteBuffer cd = ByteBuffer.allocate((int) cdSize).order(ByteOrder.LITTLE_ENDIAN);
        read(ch, cd, cdOffset);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cdSize || cd.getInt(p) != 0x02014b50) {
                throw new CheckpointException("invalid checkpoint " + path + ": corrupt zip central directory");
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long lho = cd.getInt(p + 42) & 0xffffffffL;
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            int e = p + 46 + nameLen;
            int eEnd = e + extraLen;
            while (e + 4 <= eEnd) {
                int id = cd.getShort(e) & 0xffff;
                int len = cd.getShort(e + 2) & 0xffff;
                if (id == 0x0001) {
                    int q = e + 4;
                    if (usize == 0xffffffffL) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xffffffffL) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (lho == 0xffffffffL) {
                        lho = cd.getLong(q);
                    }
                }
                e += 4 + len;
            }
            if (entries.containsKey(name)) {
                // readers disagree on which copy wins (torch reads the first): an archive that says two things is
                // refused
                throw new CheckpointException("invalid checkpoint " + path + ": the zip holds two entries named '"
                        + dev.musicgen.internal.StrictJson.printable(name) + "'");
            }
            entries.put(name, new Entry(name, method, csize, usize, lho));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return new ZipDirectory(path, ch, entries);
    }

    /** The entry's bytes: mapped in place when stored, inflated into a direct buffer otherwise. */
    ByteBuffer bytes(Entry e) {
        try {
            ByteBuffer lh = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
            read(channel, lh, e.localHeaderOffset());
            if (lh.getInt(0) != 0x04034b50) {
                throw new CheckpointException("invalid checkpoint " + path + ": corrupt local header of " + e.name());
            }
            long start = e.localHeaderOffset() + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
            if (start + e.compressedSize() > channel.size()) {
                throw new CheckpointException("invalid checkpoint " + path + ": entry " + e.name() + " needs "
                        + e.compressedSize() + " bytes at offset " + start + " but the file has " + channel.size()
                        + " bytes (truncated?)");
            }
            if (e.size() > Integer.MAX_VALUE) {
                throw new CheckpointException("invalid checkpoint " + path + ": entry " + e.name()
                        + " is larger than 2 GiB, which is not supported");
            }
            if (e.method() == 0) {
                if (e.size() == 0) {
                    return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
                }
                return channel.map(FileChannel.MapMode.READ_ONLY, start, e.size())
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            if (e.method() != 8) {
                throw new CheckpointException("invalid checkpoint " + path + ": entry " + e.name()
                        + " uses unsupported zip compression method " + e.method());
            }
            // torch.save stores its entries; a compressed one is bounded before anything is allocated for it
            if (e.size() > MAX_INFLATED_BYTES) {
                throw new CheckpointException("invalid checkpoint " + path + ": compressed entry " + e.name()
                        + " declares " + e.size() + " bytes, more than the " + MAX_INFLATED_BYTES
                        + " allowed for a compressed entry (torch.save stores its entries uncompressed)");
            }
            if (e.compressedSize() > Integer.MAX_VALUE) {
                throw new CheckpointException("invalid checkpoint " + path + ": entry " + e.name() + " is too large");
            }
            ByteBuffer in = ByteBuffer.allocate((int) e.compressedSize());
            read(channel, in, start);
            Inflater inf = new Inflater(true);
            try {
                inf.setInput(in.array());
                // grow with what actually inflates rather than trusting the declared size up front
                byte[] out = new byte[(int) Math.min(e.size(), 1 << 20)];
                int n = 0;
                while (!inf.finished()) {
                    if (n == out.length) {
                        if (n >= e.size()) {
                            if (inf.inflate(new byte[1]) > 0) {
                                throw new CheckpointException("invalid checkpoint " + path + ": entry " + e.name()
                                        + " inflates to more than the " + e.size() + " bytes it declares");
                            }
                            break;
                        }
                        out = java.util.Arrays.copyOf(out, (int) Math.min(e.size(), 2L * n));
                    }
                    int k = inf.inflate(out, n, out.length - n);
                    if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                        break;
                    }
                    n += k;
                }
                if (n != e.size()) {
                    throw new CheckpointException("invalid checkpoint " + path + ": entry " + e.name() + " inflates to "
                            + n + " bytes, expected " + e.size());
                }
                ByteBuffer d = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
                d.put(out, 0, n).flip();
                return d;
            } finally {
                inf.end();
            }
        } catch (IOException | DataFormatException ex) {
            throw new CheckpointException("cannot read entry " + e.name() + " of " + path + ": " + ex.getMessage(), ex);
        }
    }

    private static void read(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }
}
