package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.ComputeType;
import dev.musicgen.bench.Figures.Figure;
import dev.musicgen.internal.codec.EncodecModel;
import dev.musicgen.internal.generation.ConditionSource;
import dev.musicgen.internal.generation.GenerationParams;
import dev.musicgen.internal.generation.GenerationResult;
import dev.musicgen.internal.generation.MusicGenLM;
import dev.musicgen.internal.lm.LMConditions;
import dev.musicgen.internal.lm.LMConfig;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.t5.T5EncoderModel;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Phase {@code gen}: end to end for each duration: T5-base encode of a 12-token prompt (and the null row), then
 * {@link MusicGenLM#generate} with top-k 250 and CFG 3, then the EnCodec 32 kHz decode of the tokens. Records the time
 * of every LM step (and reports the median around each KV length), the process's peak RSS (VmHWM) and VmRSS every 250
 * steps and after the decode. {@code --gen-reps N} runs each duration N times in the same process, which shows whether
 * memory grows from one generation to the next. Before the generations: the T5 encode alone, median of {@code reps}.
 */
final class GenerationPhase implements LmRun.Phase {
    /** EnCodec 32 kHz in fp32: about 59 M parameters. */
    private static final double CODEC_MB = 59e6 * 4 / 1e6;

    @Override
    public List<Figure> run(LmRun r) {
        ComputeType c = r.compute().require();
        String model = r.model();
        String compute = r.compute().label();
        LMConfig cfg = r.size().config();
        List<Figure> figures = new ArrayList<>();
        long t0 = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            List<RandomWeights.Spec> t5Specs = RandomWeights.t5(Shapes.T5_BASE);
            List<RandomWeights.Spec> lmSpecs = RandomWeights.lm(cfg);
            WeightStore t5Store = WeightStore.of("random t5-base", RandomWeights.tensors(t5Specs, 11));
            T5EncoderModel t5 = T5EncoderModel.load(Shapes.T5_BASE, t5Store, root);
            Prompt prompt = new Prompt(
                    t5,
                    root.randomUniform(-0.03f, 0.03f, new Shape(cfg.dim(), Shapes.T5_BASE.dModel())),
                    root.zeros(new Shape(cfg.dim())),
                    root);
            LMModel lm =
                    LMModel.load(cfg, WeightStore.of("random " + model, RandomWeights.tensors(lmSpecs, 7)), root, c);
            EncodecModel codec = EncodecModel.fromWeights(
                    Shapes.ENCODEC_32K,
                    WeightStore.of("random encodec", RandomEncodecWeights.of(Shapes.ENCODEC_32K, 5)),
                    Device.cpu());
            System.gc(); // the generated fp16 buffers of converted weights are garbage now
            double lmMb = r.compute().widthOverF16() * RandomWeights.bytes(lmSpecs) / 1e6;
            double t5Mb = 2 * RandomWeights.bytes(t5Specs) / 1e6;
            r.out()
                    .printf(
                            Locale.ROOT,
                            "built T5-base (fp32, %.0f MB), %s LM (%s, %.0f MB) and EnCodec 32 kHz (fp32,"
                                    + " ~%.0f MB) from random weights in %.1f s; RSS %s MB%n",
                            t5Mb,
                            model,
                            c,
                            lmMb,
                            CODEC_MB,
                            (System.nanoTime() - t0) / 1e9,
                            Machine.statusMb("VmRSS"));
            MusicGenLM gen = new MusicGenLM(lm, 50);

            // warm-up: T5 twice, a 1 s generation
            for (int i = 0; i < 2; i++) {
                prompt.encode();
            }
            GenerationResult warm = gen.generate(
                    ConditionSource.fixed(prompt.encode()),
                    null,
                    GenerationParams.builder().duration(1.0).seed(1L).build(),
                    null,
                    null);
            codec.decode(warm.tokens());
            double[] t5Times = new double[r.reps()];
            for (int i = 0; i < r.reps(); i++) {
                long st = System.nanoTime();
                prompt.encode();
                t5Times[i] = Machine.msSince(st);
            }
            figures.add(new Figures.T5(
                    model,
                    compute,
                    Figures.r2(Machine.median(t5Times)),
                    Figures.r2(Machine.min(t5Times)),
                    Machine.loadavg()));

            for (int rep = 0; rep < r.genReps() * r.durations().length; rep++) {
                double duration = r.durations()[rep / r.genReps()];
                String loadBefore = Machine.loadavg();
                long start = System.nanoTime();
                LMConditions cond = prompt.encode();
                long afterT5 = System.nanoTime();
                List<Long> stamps = new ArrayList<>();
                Map<Integer, Long> rss = new TreeMap<>();
                GenerationResult result = gen.generate(
                        ConditionSource.fixed(cond),
                        null,
                        GenerationParams.builder().duration(duration).seed(0L).build(),
                        (phase, step, total) -> {
                            stamps.add(System.nanoTime());
                            if (step % 250 == 0 || step == total) {
                                rss.put((int) step, Machine.statusMb("VmRSS"));
                            }
                        },
                        null);
                long afterLm = System.nanoTime();
                float[][][] audio = codec.decode(result.tokens());
                long end = System.nanoTime();
                if (audio[0][0].length != (int) Math.round(duration * Shapes.ENCODEC_32K.sampleRate())) {
                    throw new IllegalStateException(
                            "decoded " + audio[0][0].length + " samples for " + duration + " s");
                }
                double[] steps = new double[stamps.size()];
                long prev = afterT5;
                for (int i = 0; i < steps.length; i++) {
                    steps[i] = (stamps.get(i) - prev) / 1e6;
                    prev = stamps.get(i);
                }
                Long after = Machine.statusMb("VmRSS"); // after the EnCodec decode, the generation's state closed
                // self-attention cache bytes written by the end: layers x (k, v) x batch x positions x dim x fp32
                double kvMb = 2.0 * cfg.numLayers() * LmRun.BATCH * steps.length * cfg.dim() * 4 / 1e6;
                figures.add(new Figures.Generation(
                        model,
                        compute,
                        duration,
                        rep % r.genReps() + 1,
                        steps.length,
                        Figures.r2((afterT5 - start) / 1e6),
                        Figures.r2((afterLm - afterT5) / 1e9),
                        Figures.r2((end - afterLm) / 1e9),
                        Figures.r2((end - start) / 1e9),
                        Figures.r2(Machine.median(steps)),
                        Machine.peakRssMb(),
                        byStep(rss),
                        after,
                        Math.round(kvMb),
                        Math.round(lmMb + t5Mb + CODEC_MB),
                        loadBefore,
                        Machine.loadavg()));
                for (int kv : r.kvs()) {
                    if (kv >= steps.length) {
                        continue;
                    }
                    int from = Math.max(1, kv - 10); // step 0 also computes the cross-attention keys/values
                    int to = Math.min(steps.length, Math.max(kv + 11, from + 10));
                    double[] around = Arrays.copyOfRange(steps, from, to);
                    figures.add(new Figures.GenerationStep(
                            model,
                            compute,
                            duration,
                            kv,
                            Figures.r2(Machine.median(around)),
                            Figures.r2(Machine.min(around))));
                }
            }
            lm.close();
            t5.close();
            codec.close();
        }
        return figures;
    }

    /** {@code "250:1830,403:1864"}. */
    private static String byStep(Map<Integer, Long> rss) {
        return rss.entrySet().stream()
                .map(e -> e.getKey() + ":" + (e.getValue() == null ? "n/a" : e.getValue()))
                .collect(Collectors.joining(","));
    }

    /** T5 over the prompt and the null row, the output projection and mask: the LM's cross-attention source. */
    private record Prompt(T5EncoderModel t5, NDArray projW, NDArray projB, NDManager root) {
        LMConditions encode() {
            int batch = LmRun.BATCH;
            int tokens = LmRun.PROMPT_TOKENS;
            try (NDManager m = root.newSubManager()) {
                long[] ids = new long[batch * tokens];
                long[] mask = new long[ids.length];
                for (int i = 0; i < tokens; i++) {
                    ids[i] = 100 + 37 * i; // the prompt row
                    mask[i] = 1;
                }
                ids[tokens] = 1; // the null row: "" is just </s>
                mask[tokens] = 1;
                NDArray idArr = m.create(ids, new Shape(batch, tokens));
                NDArray maskArr = m.create(mask, new Shape(batch, tokens));
                NDArray h = t5.forward(idArr, maskArr); // [2, L, 768]
                NDArray out = F.linear(h, projW, projB)
                        .mul(maskArr.toType(DataType.FLOAT32, false).reshape(batch, tokens, 1));
                int dim = (int) projW.getShape().get(0);
                return LMConditions.of(new LMConditions.Tensor("description", out.toFloatArray(), batch, tokens, dim));
            }
        }
    }
}
