package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/**
 * The 503 of an admin change whose model store failed names the file and the kind of failure: a store the serving
 * user may read but not write (replicas serving a store another user publishes) answered with a bare lock path.
 */
@UnitTest
class StoreFailureMessageTest {
    @Test
    void aStoreThisUserMayNotWriteIsSaidSo() {
        assertEquals("reading or writing the model store failed: /srv/models/CURRENT.lock: permission denied "
                        + "(changing CURRENT or CANARY needs write access to the model store directory)",
                detail(new AccessDeniedException("/srv/models/CURRENT.lock")));
    }

    @Test
    void otherFileSystemFailuresKeepTheirKind() {
        assertEquals("reading or writing the model store failed: /srv/models/CURRENT: no such file or directory",
                detail(new NoSuchFileException("/srv/models/CURRENT")));
        assertEquals("reading or writing the model store failed: /srv/models/CURRENT.lock: Is a directory",
                detail(new FileSystemException("/srv/models/CURRENT.lock", null, "Is a directory")));
        assertEquals("reading or writing the model store failed: No space left on device",
                detail(new IOException("No space left on device")));
        assertEquals("reading or writing the model store failed: IOException",
                detail(new IOException()));
    }

    private static String detail(IOException e) {
        ApiProblem p = OpsRoutes.storeUnavailable(e);
        assertEquals(503, p.status);
        return p.getMessage();
    }
}
