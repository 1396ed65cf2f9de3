
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'h4' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'h4'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'h4' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the output to FILE (''-'' for standard output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to FILE (''-'' for standard output)')
            [CompletionResult]::new('--output-dir-flat', '--output-dir-flat', [CompletionResultType]::ParameterName, 'Write each output into DIR (made if missing), named after its input without the input''s directories')
            [CompletionResult]::new('--core', '--core', [CompletionResultType]::ParameterName, 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Compression level, 1 (fastest) to 19 (smallest), also written -# (-1 ... -19); an engine with fewer levels uses its nearest one. Levels 20 to 22 need --ultra, as in zstd (without it they are 19)')
            [CompletionResult]::new('--fast', '--fast', [CompletionResultType]::ParameterName, 'Faster than level 1: level -N, for engines that have such levels (others use their fastest) [default N: 1]')
            [CompletionResult]::new('-B', '-B ', [CompletionResultType]::ParameterName, 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine''s preference, else 1M]')
            [CompletionResult]::new('--block-size', '--block-size', [CompletionResultType]::ParameterName, 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine''s preference, else 1M]')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Compress (the default)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress (the default)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Decompress FILE.h4 to FILE (as `unh4` does)')
            [CompletionResult]::new('--decompress', '--decompress', [CompletionResultType]::ParameterName, 'Decompress FILE.h4 to FILE (as `unh4` does)')
            [CompletionResult]::new('--uncompress', '--uncompress', [CompletionResultType]::ParameterName, 'Decompress FILE.h4 to FILE (as `unh4` does)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Check the integrity of .h4 files, writing nothing')
            [CompletionResult]::new('--test', '--test', [CompletionResultType]::ParameterName, 'Check the integrity of .h4 files, writing nothing')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'List what .h4 files hold, as `h4 info` does (with -v, every block)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List what .h4 files hold, as `h4 info` does (with -v, every block)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Write to standard output, keeping the input files')
            [CompletionResult]::new('--stdout', '--stdout', [CompletionResultType]::ParameterName, 'Write to standard output, keeping the input files')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep input files (the default)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep input files (the default)')
            [CompletionResult]::new('--rm', '--rm', [CompletionResultType]::ParameterName, 'Remove each input file once its output is completely written and synced')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)')
            [CompletionResult]::new('--require-core', '--require-core', [CompletionResultType]::ParameterName, 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)')
            [CompletionResult]::new('--isolate', '--isolate', [CompletionResultType]::ParameterName, 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('--ultra', '--ultra', [CompletionResultType]::ParameterName, 'Allow levels 20 to 22 (zstd''s ultra levels, for cores that have them: more memory and time)')
            [CompletionResult]::new('--best', '--best', [CompletionResultType]::ParameterName, 'The smallest output: level 19')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Do not decode each block a core made to check it before writing (for trusted cores; the reference engine is never checked)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('compress', 'compress', [CompletionResultType]::ParameterValue, 'Compress FILEs to FILE.h4 (or stdin to stdout)')
            [CompletionResult]::new('decompress', 'decompress', [CompletionResultType]::ParameterValue, 'Decompress FILE.h4 to FILE (or stdin to stdout)')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Check the integrity of .h4 files without writing anything')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show how .h4 files were made: engine, block size, blocks, sizes, ratio')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that an engine or core is safe to deploy: deterministic on every machine, lossless, identity-safe, robust, memory-clean, well-behaved in its host, leak-free, linear and thread-safe')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure compression ratio and speed of engines and cores')
            [CompletionResult]::new('cores', 'cores', [CompletionResultType]::ParameterValue, 'List the cores `--core NAME` finds: name, version, levels, path')
            break
        }
        'h4;compress' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the output to FILE (''-'' for standard output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to FILE (''-'' for standard output)')
            [CompletionResult]::new('--output-dir-flat', '--output-dir-flat', [CompletionResultType]::ParameterName, 'Write each output into DIR (made if missing), named after its input without the input''s directories')
            [CompletionResult]::new('--core', '--core', [CompletionResultType]::ParameterName, 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('-B', '-B ', [CompletionResultType]::ParameterName, 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine''s preference, else 1M]')
            [CompletionResult]::new('--block-size', '--block-size', [CompletionResultType]::ParameterName, 'Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M [default: the engine''s preference, else 1M]')
            [CompletionResult]::new('--format-version', '--format-version', [CompletionResultType]::ParameterName, 'Container format to write: 2 (compact, indexed for random access) or 1 (readable by h4 0.1)')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Reference engine effort, 1 (fastest) to 9 (smallest) [default: 2]; never needed to decompress')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Write to standard output, keeping the input files')
            [CompletionResult]::new('--stdout', '--stdout', [CompletionResultType]::ParameterName, 'Write to standard output, keeping the input files')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep input files (the default)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep input files (the default)')
            [CompletionResult]::new('--rm', '--rm', [CompletionResultType]::ParameterName, 'Remove each input file once its output is completely written and synced')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)')
            [CompletionResult]::new('--require-core', '--require-core', [CompletionResultType]::ParameterName, 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)')
            [CompletionResult]::new('--isolate', '--isolate', [CompletionResultType]::ParameterName, 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Do not decode each block a core made to check it before writing (for trusted cores; the reference engine is never checked)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'h4;decompress' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the output to FILE (''-'' for standard output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to FILE (''-'' for standard output)')
            [CompletionResult]::new('--output-dir-flat', '--output-dir-flat', [CompletionResultType]::ParameterName, 'Write each output into DIR (made if missing), named after its input without the input''s directories')
            [CompletionResult]::new('--core', '--core', [CompletionResultType]::ParameterName, 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, 'Write only content bytes START to END-1 (END omitted: to the end), decoding only the blocks that hold them; needs -c or -o')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Write to standard output, keeping the input files')
            [CompletionResult]::new('--stdout', '--stdout', [CompletionResultType]::ParameterName, 'Write to standard output, keeping the input files')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Compress or decompress every file under the directories named, recursively (decompressing, only the .h4 files)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite existing outputs; allow compressed data on a terminal and a terminal on stdin; follow symbolic links named as inputs')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep input files (the default)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep input files (the default)')
            [CompletionResult]::new('--rm', '--rm', [CompletionResultType]::ParameterName, 'Remove each input file once its output is completely written and synced')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'No container: write or read exactly what the engine makes of the whole input (for other hosts of the core ABI; needs -o, -c or stdin)')
            [CompletionResult]::new('--require-core', '--require-core', [CompletionResultType]::ParameterName, 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)')
            [CompletionResult]::new('--isolate', '--isolate', [CompletionResultType]::ParameterName, 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'h4;test' {
            [CompletionResult]::new('--core', '--core', [CompletionResultType]::ParameterName, 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0: one per CPU)')
            [CompletionResult]::new('--require-core', '--require-core', [CompletionResultType]::ParameterName, 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)')
            [CompletionResult]::new('--isolate', '--isolate', [CompletionResultType]::ParameterName, 'Run the core in sandboxed helper processes, so a core that crashes, aborts, exits or hangs is an error, not a dead h4 (also HARMONY4_ISOLATE=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print a summary line per file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'h4;info' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('--blocks', '--blocks', [CompletionResultType]::ParameterName, 'Also list every block: where it lies in the file and in the content')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'h4;verify' {
            [CompletionResult]::new('--core', '--core', [CompletionResultType]::ParameterName, 'Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so on the core search path, see `h4 cores`); a failure to load it is an error')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as zstd: --core zstd)')
            [CompletionResult]::new('--iterations', '--iterations', [CompletionResultType]::ParameterName, 'Calls per input in the determinism check')
            [CompletionResult]::new('--fuzz', '--fuzz', [CompletionResultType]::ParameterName, 'Corrupted payloads to feed the decoder in the robustness check')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Threads for the concurrency checks')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads for the concurrency checks')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds a check may go without progress before it counts as hung')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Write the SHA-256 of the engine''s output for every corpus input to FILE (conformance vectors; refused when outputs differ between processes)')
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Compare the engine''s outputs with the conformance vectors in FILE (written by --record, on this or another machine)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these rows (comma-separated, e.g. determinism,memory; abi always runs)')
            [CompletionResult]::new('--require-core', '--require-core', [CompletionResultType]::ParameterName, 'Fail when the core of HARMONY4_CORE_PATH does not load instead of falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)')
            [CompletionResult]::new('--memcheck', '--memcheck', [CompletionResultType]::ParameterName, 'Also run every check under valgrind (when installed)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'h4;bench' {
            [CompletionResult]::new('--core', '--core', [CompletionResultType]::ParameterName, 'Measure the core at PATH or named NAME (repeatable)')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Measure a built-in engine (repeatable)')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Threads for the whole-pipeline runs (0: one per CPU)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads for the whole-pipeline runs (0: one per CPU)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Runs of each measurement (the median is reported)')
            [CompletionResult]::new('--iterations', '--iterations', [CompletionResultType]::ParameterName, 'Runs of each measurement (the median is reported)')
            [CompletionResult]::new('-B', '-B ', [CompletionResultType]::ParameterName, 'Block size [default: each engine''s preference, else 1M]')
            [CompletionResult]::new('--block-size', '--block-size', [CompletionResultType]::ParameterName, 'Block size [default: each engine''s preference, else 1M]')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Measure cores without the compress-time round-trip check')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: one record per engine and input')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'h4;cores' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
