package dev.musicgen.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.CheckpointException;
import dev.musicgen.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Crafted hostile or broken checkpoints are refused with messages naming the file and what is wrong. */
class UnsafeCheckpointTest {
    @TempDir
    Path tmp;

    /** A zip laid out like torch.save with the given pickle bytes. */
    private Path torchZip(String name, byte[] pickle) throws IOException {
        Path p = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("evil/data.pkl"));
            z.write(pickle);
            z.closeEntry();
            z.putNextEntry(new ZipEntry("evil/byteorder"));
            z.write("little".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
        return p;
    }

    /** protocol 2: GLOBAL 'module name', then call it with one string argument. */
    private static byte[] globalCall(String module, String name, String arg) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2);
        b.writeBytes(("c" + module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        b.write('(');
        byte[] a = arg.getBytes(StandardCharsets.UTF_8);
        b.write('X');
        b.write(a.length);
        b.write(0);
        b.write(0);
        b.write(0);
        b.writeBytes(a);
        b.write('t');
        b.write('R');
        b.write('.');
        return b.toByteArray();
    }

    /** protocol 4: STACK_GLOBAL form of the same call. */
    private static byte[] stackGlobalCall(String module, String name, String arg) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(4);
        for (String s : new String[] {module, name}) {
            byte[] x = s.getBytes(StandardCharsets.UTF_8);
            b.write(0x8c); // SHORT_BINUNICODE
            b.write(x.length);
            b.writeBytes(x);
        }
        b.write(0x93); // STACK_GLOBAL
        byte[] a = arg.getBytes(StandardCharsets.UTF_8);
        b.write(0x8c);
        b.write(a.length);
        b.writeBytes(a);
        b.write(0x85); // TUPLE1
        b.write('R');
        b.write('.');
        return b.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "os.system",
                "builtins.eval",
                "subprocess.Popen",
                "posix.system",
                "__builtin__.exec",
                "nt.system",
                "torch.load"
            })
    void hostile_globals_are_refused_and_nothing_runs(String global) throws IOException {
        int dot = global.lastIndexOf('.');
        String module = global.substring(0, dot);
        String name = global.substring(dot + 1);
        Path marker = tmp.resolve("pwned");
        String cmd = "touch " + marker;
        for (byte[] pickle : new byte[][] {globalCall(module, name, cmd), stackGlobalCall(module, name, cmd)}) {
            Path p = torchZip("evil.bin", pickle);
            String shown = module.equals("__builtin__") ? "builtins." + name : global;
            assertThatThrownBy(() -> TorchCheckpoint.open(p))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("'" + shown + "'")
                    .hasMessageContaining("allow-list");
            assertThat(marker).doesNotExist();
        }
    }

    @Test
    void truncated_zip_is_refused() throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.path("models", "musicgen_mono", "state_dict.bin"));
        for (int len : new int[] {full.length / 2, full.length - 10, 100, 3}) {
            Path p = tmp.resolve("trunc" + len + ".bin");
            Files.write(p, java.util.Arrays.copyOf(full, len));
            assertThatThrownBy(() -> TorchCheckpoint.open(p))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(p.toString());
        }
    }

    @Test
    void zip_with_missing_storage_is_refused() throws IOException {
        Path src = Fixtures.path("models", "musicgen_mono", "state_dict.bin");
        Path p = tmp.resolve("nostorage.bin");
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(src.toFile());
                ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            var it = in.entries();
            while (it.hasMoreElements()) {
                ZipEntry e = it.nextElement();
                if (e.getName().endsWith("/data/0")) {
                    continue;
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(in.getInputStream(e).readAllBytes());
                z.closeEntry();
            }
        }
        assertThatThrownBy(() -> TorchCheckpoint.open(p))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("storage 0");
    }

    @Test
    void legacy_and_bare_pickles_are_refused() throws IOException {
        Path legacy = tmp.resolve("legacy.pt");
        Files.write(legacy, new byte[] {
            (byte) 0x80,
            0x02,
            (byte) 0x8a,
            0x0a,
            0x6c,
            (byte) 0xfc,
            (byte) 0x9c,
            0x46,
            (byte) 0xf9,
            0x20,
            0x6a,
            (byte) 0xa8,
            0x50,
            0x19
        });
        assertThatThrownBy(() -> TorchCheckpoint.open(legacy)).hasMessageContaining("legacy (pre-1.6)");
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello world");
        assertThatThrownBy(() -> TorchCheckpoint.open(text)).hasMessageContaining("not a zip archive");
        Path missing = tmp.resolve("missing.bin");
        assertThatThrownBy(() -> TorchCheckpoint.open(missing)).hasMessageContaining(missing.toString());
    }

    /** A torch.save-like zip whose entries are given as name, bytes, method (ZipEntry.STORED or DEFLATED). */
    private Path zipOf(String name, Object... entries) throws IOException {
        Path p = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (int i = 0; i < entries.length; i += 2) {
                ZipEntry e = new ZipEntry((String) entries[i]);
                byte[] data = (byte[]) entries[i + 1];
                e.setMethod(ZipEntry.DEFLATED);
                z.putNextEntry(e);
                z.write(data);
                z.closeEntry();
            }
        }
        return p;
    }

    private static final byte[] LITTLE = "little".getBytes(StandardCharsets.US_ASCII);

    /** protocol 2: an empty list, memoized, appended into itself (or nested {@code depth} times). */
    private static byte[] selfListPickle() {
        // PROTO 2, EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP
        return new byte[] {(byte) 0x80, 2, ']', 'q', 0, 'h', 0, 'a', '.'};
    }

    private static byte[] deepListPickle(int depth) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2);
        for (int i = 0; i < depth; i++) {
            b.write(']');
        }
        for (int i = 0; i < depth - 1; i++) {
            b.write('a');
        }
        b.write('.');
        return b.toByteArray();
    }

    @Test
    void self_referencing_and_deep_pickles_are_refused_without_a_stack_overflow() throws IOException {
        Path cycle = torchZip("cycle.bin", selfListPickle());
        assertThatThrownBy(() -> TorchCheckpoint.open(cycle))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(cycle.toString())
                .hasMessageContaining("contains itself");
        Path deep = torchZip("deep.bin", deepListPickle(100_000));
        assertThatThrownBy(() -> TorchCheckpoint.open(deep))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(deep.toString())
                .hasMessageContaining("deeper than");
    }

    @Test
    void duplicate_entries_are_refused() throws IOException {
        // torch reads the first data.pkl, a last-wins reader the second: such an archive is refused outright
        Path twin = tmp.resolve("twin.bin");
        Files.write(twin, duplicateZip());
        assertThatThrownBy(() -> TorchCheckpoint.open(twin))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(twin.toString())
                .hasMessageContaining("two entries named 'evil/data.pkl'");
    }

    /** Two STORED entries named evil/data.pkl (the first benign, the second different), plus byteorder. */
    private static byte[] duplicateZip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.List<byte[]> central = new java.util.ArrayList<>();
        Object[][] entries = {
            {"evil/data.pkl", new byte[] {(byte) 0x80, 2, 'N', '.'}},
            {"evil/data.pkl", new byte[] {(byte) 0x80, 2, 'K', 1, '.'}},
            {"evil/byteorder", LITTLE}
        };
        for (Object[] e : entries) {
            byte[] name = ((String) e[0]).getBytes(StandardCharsets.UTF_8);
            byte[] data = (byte[]) e[1];
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(data);
            int offset = out.size();
            java.nio.ByteBuffer lh =
                    java.nio.ByteBuffer.allocate(30 + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            lh.putInt(0x04034b50)
                    .putShort((short) 20)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt((int) crc.getValue())
                    .putInt(data.length)
                    .putInt(data.length)
                    .putShort((short) name.length)
                    .putShort((short) 0)
                    .put(name);
            out.write(lh.array());
            out.write(data);
            java.nio.ByteBuffer cd =
                    java.nio.ByteBuffer.allocate(46 + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            cd.putInt(0x02014b50)
                    .putShort((short) 20)
                    .putShort((short) 20)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt((int) crc.getValue())
                    .putInt(data.length)
                    .putInt(data.length)
                    .putShort((short) name.length)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt(offset)
                    .put(name);
            central.add(cd.array());
        }
        int cdStart = out.size();
        for (byte[] c : central) {
            out.write(c);
        }
        int cdSize = out.size() - cdStart;
        java.nio.ByteBuffer end = java.nio.ByteBuffer.allocate(22).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        end.putInt(0x06054b50)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) central.size())
                .putShort((short) central.size())
                .putInt(cdSize)
                .putInt(cdStart)
                .putShort((short) 0);
        out.write(end.array());
        return out.toByteArray();
    }

    @Test
    void a_compressed_entry_that_inflates_past_its_bounds_is_refused() throws IOException {
        // 64 MiB of zeros deflate to ~64 KB; then the declared size is patched down to 1 KiB in both headers
        byte[] zeros = new byte[64 << 20];
        Path bomb = zipOf("bomb.bin", "evil/data.pkl", zeros, "evil/byteorder", LITTLE);
        byte[] z = Files.readAllBytes(bomb);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(z).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= z.length; i++) {
            int sig = b.getInt(i);
            if (sig == 0x02014b50 && new String(z, i + 46, 13, StandardCharsets.US_ASCII).equals("evil/data.pkl")) {
                b.putInt(i + 24, 1024);
            }
        }
        Files.write(bomb, z);
        assertThatThrownBy(() -> TorchCheckpoint.open(bomb))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(bomb.toString())
                .hasMessageContaining("more than the 1024 bytes it declares");
        // a declared size past the bound is refused before anything is allocated for it
        for (int i = 0; i + 4 <= z.length; i++) {
            if (b.getInt(i) == 0x02014b50
                    && new String(z, i + 46, 13, StandardCharsets.US_ASCII).equals("evil/data.pkl")) {
                b.putInt(i + 24, Integer.MAX_VALUE);
            }
        }
        Files.write(bomb, z);
        assertThatThrownBy(() -> TorchCheckpoint.open(bomb))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("declares " + Integer.MAX_VALUE + " bytes");
    }
}
