from qiappraise.entry import main

main()
