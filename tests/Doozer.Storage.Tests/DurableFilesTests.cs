using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Doozer.Storage.Tests;

public sealed partial class DurableFilesTests
{
    [Fact]
    public void SyncData_on_a_regular_file_takes_the_fdatasync_path_without_error()
    {
        using var temp = new TempDirectory();
        using var file = File.OpenHandle(temp.Combine("data"), FileMode.CreateNew, FileAccess.ReadWrite);
        RandomAccess.Write(file, "record"u8, 0);
        // Durability itself cannot be observed without a power cut; this checks the call succeeds where it should.
        DurableFiles.SyncData(file);
        Assert.Equal(6, RandomAccess.GetLength(file));
    }

    [Fact]
    public void SyncData_falls_back_to_fsync_where_fdatasync_is_refused_with_EINVAL()
    {
        // fdatasync(2) answers EINVAL for a file that cannot be synchronized, a FIFO for one: the same answer as a
        // file system without fdatasync, which SyncData must survive by syncing the whole file instead.
        if (!OperatingSystem.IsLinux())
            return; // fdatasync is used on Linux only; elsewhere SyncData is FlushToDisk, as the first test shows.
        using var temp = new TempDirectory();
        var path = temp.Combine("fifo");
        Assert.Equal(0, MakeFifo(path, Convert.ToUInt32("600", 8)));
        // Read-write, so opening a FIFO does not wait for a reader.
        using SafeFileHandle fifo = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        Assert.NotEqual(0, Fdatasync(fifo));
        Assert.Equal(22, Marshal.GetLastPInvokeError()); // EINVAL
        DurableFiles.SyncData(fifo);
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(SafeFileHandle file);
}
