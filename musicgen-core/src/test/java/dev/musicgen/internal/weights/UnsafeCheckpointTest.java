package dev.musicgen.internal.weights;

import dev.musicgen.CheckpointException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.musicgen.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

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
    @ValueSource(strings = {"os.system", "builtins.eval", "subprocess.Popen", "posix.system", "__builtin__.exec",
        "nt.system", "torch.load"})
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
        Files.write(legacy, new byte[] {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19});
        assertThatThrownBy(() -> TorchCheckpoint.open(legacy)).hasMessageContaining("legacy (pre-1.6)");
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello world");
        assertThatThrownBy(() -> TorchCheckpoint.open(text)).hasMessageContaining("not a zip archive");
        Path missing = tmp.resolve("missing.bin");
        assertThatThrownBy(() -> TorchCheckpoint.open(missing)).hasMessageContaining(missing.toString());
    }
}
