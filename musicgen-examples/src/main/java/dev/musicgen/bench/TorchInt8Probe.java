package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.musicgen.internal.nn.F;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Issue 14's route (b), measured: libtorch's own int8 kernels, which DJL's JNI does not expose, reached through a
 * TorchScript module that this class writes itself (source text, a pickled module object and a version record in a
 * zip; libtorch compiles the source at load, no Python anywhere) and DJL loads. For musicgen-small's decode-step
 * matrices (per layer: in-proj 3072×1024, out-proj, cross-attention query and out 1024×1024, FFN 4096×1024 and
 * 1024×4096; the 4 output heads 8192×1024 once), two activation rows as CFG gives, it times one step's worth of
 * products, looped inside one module call so that only the kernels count:
 *
 * <ul>
 *   <li>{@code fp32}: {@code torch.linear} on fp32 weights (4 bytes per weight);
 *   <li>{@code int8pack}: {@code torch._weight_int8pack_mm} (int8 weights, one scale per output row, float activations);
 *   <li>{@code fbgemm}: {@code quantized::linear_dynamic} on {@code quantized::linear_prepack}ed per-channel qint8
 *       weights: activations are quantized to 8 bits per call (one scale per tensor), products in int8 (fbgemm).
 * </ul>
 *
 * Each figure is (time of {@code reps + 1} steps − time of 1 step) / {@code reps}, so the one-time quantization and
 * packing cancel out; GB/s counts the weight bytes the kind reads (int8: 1 byte per weight). Then, on the FFN's
 * 4096×1024 matrix, the error of each int8 kind against fp32 on random activations (max |Δ| / max |y|), and the cost
 * of one module call from Java (DJL forward with these inputs, one tiny op). A main, not a test:
 *
 * <pre>
 * java -cp musicgen-examples/target/musicgen.jar dev.musicgen.bench.TorchInt8Probe [--layers 24] [--rounds 2]
 * </pre>
 */
public final class TorchInt8Probe {
    private static final int MODE_FP32 = 2;
    private static final int MODE_INT8PACK = 0;
    private static final int MODE_FBGEMM = 1;
    static final int MODE_ERROR = 3;
    static final int MODE_ONE_CALL = 4;

    /**
     * The module's source, in the dialect of TorchScript's serialized code (dtypes as their enum numbers: 1 int8,
     * 4 int64, 6 float32, 7 float64, 12 qint8; operators under {@code ops.}).
     */
    private static final String CODE = """
            class Probe(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Probe, x1: Tensor, x4: Tensor, wqkv: Tensor, wo: Tensor, wf1: Tensor,
                  wf2: Tensor, whead: Tensor, n: Tensor, mode: Tensor) -> Tensor:
                reps = int(n.item())
                m = int(mode.item())
                layers = wqkv.size(0)
                acc = torch.zeros([2], dtype=6)
                if m == 0:
                  qs = [self._q(wqkv[i]) for i in range(layers)]
                  os = [self._q(wo[i]) for i in range(layers)]
                  f1 = [self._q(wf1[i]) for i in range(layers)]
                  f2 = [self._q(wf2[i]) for i in range(layers)]
                  hd = self._q(whead)
                  qss = [self._s(wqkv[i]) for i in range(layers)]
                  oss = [self._s(wo[i]) for i in range(layers)]
                  f1s = [self._s(wf1[i]) for i in range(layers)]
                  f2s = [self._s(wf2[i]) for i in range(layers)]
                  hds = self._s(whead)
                  for r in range(reps):
                    for i in range(layers):
                      a = torch._weight_int8pack_mm(x1, qs[i], qss[i])
                      b = torch._weight_int8pack_mm(x1, os[i], oss[i])
                      c = torch._weight_int8pack_mm(x1, os[i], oss[i])
                      d = torch._weight_int8pack_mm(x1, os[i], oss[i])
                      e = torch._weight_int8pack_mm(x1, f1[i], f1s[i])
                      f = torch._weight_int8pack_mm(x4, f2[i], f2s[i])
                      acc = acc + a[:, 0] + b[:, 0] + c[:, 0] + d[:, 0] + e[:, 0] + f[:, 0]
                    h = torch._weight_int8pack_mm(x1, hd, hds)
                    acc = acc + h[:, 0]
                elif m == 1:
                  qs = [self._p(wqkv[i]) for i in range(layers)]
                  os = [self._p(wo[i]) for i in range(layers)]
                  f1 = [self._p(wf1[i]) for i in range(layers)]
                  f2 = [self._p(wf2[i]) for i in range(layers)]
                  hd = self._p(whead)
                  for r in range(reps):
                    for i in range(layers):
                      a = ops.quantized.linear_dynamic(x1, qs[i], False)
                      b = ops.quantized.linear_dynamic(x1, os[i], False)
                      c = ops.quantized.linear_dynamic(x1, os[i], False)
                      d = ops.quantized.linear_dynamic(x1, os[i], False)
                      e = ops.quantized.linear_dynamic(x1, f1[i], False)
                      f = ops.quantized.linear_dynamic(x4, f2[i], False)
                      acc = acc + a[:, 0] + b[:, 0] + c[:, 0] + d[:, 0] + e[:, 0] + f[:, 0]
                    h = ops.quantized.linear_dynamic(x1, hd, False)
                    acc = acc + h[:, 0]
                elif m == 2:
                  for r in range(reps):
                    for i in range(layers):
                      a = torch.linear(x1, wqkv[i])
                      b = torch.linear(x1, wo[i])
                      c = torch.linear(x1, wo[i])
                      d = torch.linear(x1, wo[i])
                      e = torch.linear(x1, wf1[i])
                      f = torch.linear(x4, wf2[i])
                      acc = acc + a[:, 0] + b[:, 0] + c[:, 0] + d[:, 0] + e[:, 0] + f[:, 0]
                    h = torch.linear(x1, whead)
                    acc = acc + h[:, 0]
                elif m == 3:
                  w = wf1[0]
                  y = torch.linear(x1, w)
                  top = torch.amax(torch.abs(y))
                  s = self._s(w)
                  y8 = torch._weight_int8pack_mm(x1, self._q(w), s)
                  yw = torch.linear(x1, self._q(w).to(6) * torch.unsqueeze(s, 1))
                  yd = ops.quantized.linear_dynamic(x1, self._p(w), False)
                  acc = torch.stack([torch.amax(torch.abs(y8 - y)) / top, torch.amax(torch.abs(yw - y)) / top,
                      torch.amax(torch.abs(yd - y)) / top])
                else:
                  acc = x1[:, 0] + 1.0
                return acc
              def _s(self: __torch__.Probe, w: Tensor) -> Tensor:
                return torch.clamp(torch.amax(torch.abs(w), [1]), 1e-8) / 127.0
              def _q(self: __torch__.Probe, w: Tensor) -> Tensor:
                return torch.clamp(torch.round(w / torch.unsqueeze(self._s(w), 1)), -127.0, 127.0).to(1)
              def _p(self: __torch__.Probe, w: Tensor) -> __torch__.torch.classes.quantized.LinearPackedParamsBase:
                q = torch.quantize_per_channel(w, self._s(w).to(7), torch.zeros([w.size(0)], dtype=4), 0, 12)
                return ops.quantized.linear_prepack(q, None)
            """;

    private TorchInt8Probe() {}

    public static void main(String[] args) throws IOException, MalformedModelException {
        int layers = 24;
        int rounds = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--layers" -> layers = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i] + "; options: --layers, --rounds");
            }
        }
        System.out.println(Machine.describe());
        Path dir = Files.createTempDirectory("musicgen-torch-int8");
        try (Model model = Model.newInstance("probe", Device.cpu(), F.ENGINE)) {
            writeArchive(dir.resolve("probe.pt"));
            model.load(dir, "probe");
            NDManager m = model.getNDManager();
            NDArray[] in = {
                m.randomUniform(-1, 1, new Shape(2, 1024)),
                m.randomUniform(-1, 1, new Shape(2, 4096)),
                m.randomUniform(-0.03f, 0.03f, new Shape(layers, 3072, 1024)),
                m.randomUniform(-0.03f, 0.03f, new Shape(layers, 1024, 1024)),
                m.randomUniform(-0.03f, 0.03f, new Shape(layers, 4096, 1024)),
                m.randomUniform(-0.03f, 0.03f, new Shape(layers, 1024, 4096)),
                m.randomUniform(-0.03f, 0.03f, new Shape(8192, 1024))
            };
            double weights = layers * (3072 + 3 * 1024 + 4096 + 4096) * 1024.0 + 8192 * 1024.0;
            for (int round = 1; round <= rounds; round++) {
                for (int mode : new int[] {MODE_FP32, MODE_INT8PACK, MODE_FBGEMM}) {
                    int reps = mode == MODE_FBGEMM ? 200 : mode == MODE_INT8PACK ? 10 : 30;
                    double once = call(model, in, 1, mode).seconds();
                    double step = (call(model, in, reps + 1, mode).seconds() - once) / reps;
                    String kind = mode == MODE_FP32 ? "fp32" : mode == MODE_INT8PACK ? "int8pack" : "fbgemm";
                    double bytes = weights * (mode == MODE_FP32 ? 4 : 1);
                    System.out.printf(
                            Locale.ROOT,
                            "RESULT round=%d kind=%s layers=%d step_ms=%.2f weight_gbps=%.1f load=%s%n",
                            round,
                            kind,
                            layers,
                            step * 1e3,
                            bytes / step / 1e9,
                            Machine.loadavg());
                }
            }
            float[] err = call(model, in, 1, MODE_ERROR).values();
            System.out.printf(
                    Locale.ROOT,
                    "RESULT error (max |y - y_fp32| / max |y_fp32|, FFN 4096x1024, random activations):"
                            + " int8pack=%.2e weight-only int8 as INT8_WEIGHTS=%.2e fbgemm dynamic=%.2e%n",
                    err[0],
                    err[1],
                    err[2]);
            call(model, in, 1, MODE_ONE_CALL);
            int calls = 2000;
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call(model, in, 1, MODE_ONE_CALL);
            }
            System.out.printf(
                    Locale.ROOT,
                    "RESULT one module call from Java (DJL forward of all the inputs, one tiny op): %.1f us%n",
                    (System.nanoTime() - t0) / 1e3 / calls);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    record Call(double seconds, float[] values) {}

    static Call call(Model model, NDArray[] weights, int reps, int mode) {
        try (NDManager s = weights[0].getManager().newSubManager()) {
            NDList in = new NDList(weights);
            in.add(s.create(new long[] {reps}));
            in.add(s.create(new long[] {mode}));
            long t0 = System.nanoTime();
            float[] out = model.getBlock()
                    .forward(new ParameterStore(s, false), in, false)
                    .head()
                    .toFloatArray();
            return new Call((System.nanoTime() - t0) / 1e9, out);
        }
    }

    /**
     * A TorchScript archive as libtorch's {@code torch::jit::load} reads it: {@code code/__torch__.py} (the class),
     * {@code data.pkl} (protocol 2: {@code __torch__.Probe} built with {@code training = False}), {@code
     * constants.pkl} (an empty tuple) and {@code version}, all stored uncompressed under one top-level folder.
     */
    static void writeArchive(Path file) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(new byte[] {(byte) 0x80, 2, 'c'}); // PROTO 2, GLOBAL
        data.write("__torch__\nProbe\n".getBytes(StandardCharsets.US_ASCII));
        data.write(new byte[] {')', (byte) 0x81, '}', 'X', 8, 0, 0, 0}); // EMPTY_TUPLE NEWOBJ EMPTY_DICT BINUNICODE
        data.write("training".getBytes(StandardCharsets.US_ASCII));
        data.write(new byte[] {(byte) 0x89, 's', 'b', '.'}); // NEWFALSE SETITEM BUILD STOP
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, "probe/data.pkl", data.toByteArray());
            stored(zip, "probe/code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
            stored(zip, "probe/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, "probe/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }
}
