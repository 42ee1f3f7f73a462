from gan_bench.cli.app import main

main()
