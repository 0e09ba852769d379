# Written by bench/run: gnuplot chart.gp redraws rates.png and cpu.png from the chart-*.dat files.
set terminal pngcairo font 'sans,10' size 976,236
set termoption noenhanced
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set output 'rates.png'
set multiplot title "netcookd bench/run, 2026-12-07 19:08: rate (bar: median of the runs; whisker: min–max)"
unset title
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set lmargin at screen 0.01025
set rmargin at screen 0.98975
set tmargin at screen 0.85593
set bmargin at screen 0.74576
set key inside center center vertical maxrows 1 Left reverse samplen 2 spacing 1.1 width 0 noautotitle
plot NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#d55e00' title "netcookd fork", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#f0e442' title "speed-of-light loop", \
     NaN with boxes fs pattern 4 border rgb '#404040' fc rgb '#404040' title "--baseline twin (lighter, hatched)"
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set title "echo-pp50 — msgs/s"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.56780
set bmargin at screen 0.19492
set yrange [3.5:-0.5]
set xrange [0:205971]
set xtics ("0" 0, "50k" 50000, "100k" 100000, "150k" 150000, "200k" 200000)
plot 'chart-echo-pp50.dat' using (0):0:(0):(column(2) == column(2) ? column(2) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(2) == column(2) ? column(2) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 2:0:3:4 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 4:0:11 with labels left offset 0.6,0
unset multiplot
set output 'cpu.png'
set multiplot title "netcookd bench/run, 2026-12-07 19:08: server CPU per operation (bar: median of the runs; whisker: min–max)"
unset title
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set lmargin at screen 0.01025
set rmargin at screen 0.98975
set tmargin at screen 0.85593
set bmargin at screen 0.74576
set key inside center center vertical maxrows 1 Left reverse samplen 2 spacing 1.1 width 0 noautotitle
plot NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#d55e00' title "netcookd fork", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#f0e442' title "speed-of-light loop", \
     NaN with boxes fs pattern 4 border rgb '#404040' fc rgb '#404040' title "--baseline twin (lighter, hatched)"
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set title "echo-pp50 — server CPU per msg (µs)"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.56780
set bmargin at screen 0.19492
set yrange [3.5:-0.5]
set xrange [0:13.8064]
set xtics ("0" 0, "5" 5, "10" 10)
plot 'chart-echo-pp50.dat' using (0):0:(0):(column(5) == column(5) ? column(5) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(5) == column(5) ? column(5) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 5:0:6:7 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 7:0:12 with labels left offset 0.6,0
unset multiplot
