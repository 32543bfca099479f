package dev.musicgen.internal.weights;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Releases a file mapping before the garbage collector would, through {@code sun.misc.Unsafe.invokeCleaner} (JDK 9+,
 * module {@code jdk.unsupported}; Lucene and Netty use the same call). Only for a mapping that nothing else can
 * reach any more; where the call is unavailable the mapping is left to the collector, as before.
 */
final class Mappings {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method m = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            m = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = m;
    }

    private Mappings() {}

    /** Unmaps {@code buffer} if it is a whole mapping (not a slice or duplicate); otherwise does nothing. */
    static void unmap(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || !(buffer instanceof MappedByteBuffer) || buffer.capacity() == 0) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a slice or duplicate (IllegalArgumentException), or the call is refused: the collector unmaps it later
        }
    }
}
