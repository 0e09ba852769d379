set terminal pngcairo font ',10' size 1100,560
set output 'soak.png'
set title "netcookd soak, 15 listeners (2026-11-27 15:24)" noenhanced
set datafile separator ','
set key below horizontal
set xlabel "seconds since the daemon was ready (dashed: end of warm-up; grey: compared windows)"
set ylabel "RSS of the process tree (MiB)"
set y2label "open fds / tasks (process tree)"
set ytics nomirror
set y2tics
set autoscale xfix
set yrange [0:*]
set y2range [0:*]
set grid
set arrow from 60,graph 0 to 60,graph 1 nohead dt 2 lc rgb 'gray40'
set object rect from 60,graph 0 to 120.0,graph 1 behind fc rgb '#eeeeee' fs solid border lc rgb '#cccccc'  # first window
set object rect from 540.01,graph 0 to 600.01,graph 1 behind fc rgb '#eeeeee' fs solid border lc rgb '#cccccc'  # last window
plot 'samples.csv' using 1:($2/1024) skip 1 with lines lw 2 title "RSS (MiB)", \
     '' using 1:($6/1024) skip 1 with lines lw 1 title "RSS of the main process (MiB)", \
     '' using 1:3 skip 1 axes x1y2 with lines lw 1 title "open fds", \
     '' using 1:4 skip 1 axes x1y2 with lines lw 1 title "tasks (threads + processes)"
