document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.title='Klik untuk mengurutkan';
  th.addEventListener('click', function(){
    var tbody=th.closest('table').tBodies[0], rows=Array.from(tbody.rows);
    var asc=th.dataset.asc!=='1'; th.dataset.asc=asc?'1':'0';
    var num=function(s){return parseFloat(s.replace(/\./g,'').replace(',','.').replace('%',''));};
    rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent,nx=num(x),ny=num(y);
      var r=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,'id');return asc?r:-r;});
    rows.forEach(function(r){tbody.appendChild(r);});
  });
});
var f=document.getElementById('agency-filter');
if(f){f.addEventListener('input',function(){var q=f.value.toLowerCase();
  document.querySelectorAll('#agency-table tbody tr').forEach(function(r){
    r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});}
window.addEventListener('beforeprint',function(){document.querySelectorAll('details:not(.lulus)').forEach(function(d){d.open=true;});});
